"""The Lighthouse benchmark's reading of reports: scores, first-load bytes, the median run and the ratio to the
blank app."""

from benchmarks.lighthouse import median_run, page_figures, summary


def _report(performance: float, accessibility: float, best_practices: float, total_bytes: float) -> dict:
    return {
        "categories": {"performance": {"score": performance}, "accessibility": {"score": accessibility},
                       "best-practices": {"score": best_practices}},
        "audits": {"total-byte-weight": {"numericValue": total_bytes}, "first-contentful-paint": {"numericValue": 1},
                   "total-blocking-time": {"numericValue": 212.4},
                   "largest-contentful-paint": {"numericValue": 2875.6}},
    }


def test_figures_of_a_report():
    assert page_figures(_report(0.91, 0.96, 1.0, 402_345.6)) == {
        "performance": 0.91, "accessibility": 0.96, "best-practices": 1.0, "tbt_ms": 212, "lcp_ms": 2876,
        "transfer_bytes": 402_345,
    }


def test_summary_gives_each_page_its_transfer_against_the_blank_app():
    blank = page_figures(_report(0.9, 0.85, 1.0, 300_000))
    login = page_figures(_report(0.92, 1.0, 1.0, 450_000))
    result = summary({"login": login}, blank)
    assert result["blank_reflex_app"] == blank
    assert result["pages"]["login"]["transfer_ratio"] == 1.5
    assert result["pages"]["login"]["accessibility"] == 1.0


def test_the_median_run_is_one_whole_run():
    runs = [page_figures(_report(score, 1.0, 1.0, size)) for score, size in ((0.7, 1), (0.5, 2), (0.9, 3), (0.6, 4))]
    assert median_run(runs) == runs[3]  # 0.5, 0.6, 0.7, 0.9: the lower middle, with its own transfer
    assert median_run(runs[:3]) == runs[0]
