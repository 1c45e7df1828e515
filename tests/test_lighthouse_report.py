"""The Lighthouse benchmark's reading of a report: scores, first-load bytes and the ratio to the blank app."""

from benchmarks.lighthouse import page_figures, summary


def _report(performance: float, accessibility: float, best_practices: float, total_bytes: float) -> dict:
    return {
        "categories": {"performance": {"score": performance}, "accessibility": {"score": accessibility},
                       "best-practices": {"score": best_practices}},
        "audits": {"total-byte-weight": {"numericValue": total_bytes}, "first-contentful-paint": {"numericValue": 1}},
    }


def test_figures_of_a_report():
    assert page_figures(_report(0.91, 0.96, 1.0, 402_345.6)) == {
        "performance": 0.91, "accessibility": 0.96, "best-practices": 1.0, "transfer_bytes": 402_345,
    }


def test_summary_gives_each_page_its_transfer_against_the_blank_app():
    blank = page_figures(_report(0.9, 0.85, 1.0, 300_000))
    login = page_figures(_report(0.92, 1.0, 1.0, 450_000))
    result = summary({"login": login}, blank)
    assert result["blank_reflex_app"] == blank
    assert result["pages"]["login"]["transfer_ratio"] == 1.5
    assert result["pages"]["login"]["accessibility"] == 1.0
