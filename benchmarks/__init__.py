"""Performance figures on generated data. Each module runs with ``python -m benchmarks.<name>`` and prints JSON;
none of them is part of the test suite."""
