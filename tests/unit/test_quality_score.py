"""The quality bench's scorer counts a hand-made replay correctly."""

from __future__ import annotations

from bench.quality_score import score_story
from bench.replay.blogs import Post, Version
from bench.replay.crawls import Delivery, Story

A = Version("Ferries cancelled", ("All crossings from Port Alder are cancelled today.",))
A2 = Version(
    A.headline, ("All crossings from Port Alder and Kessing are cancelled today.",), "material"
)
B = Version("", ("The coastguard issued an amber warning for the northern coast.",))
B2 = Version("", ("The coastguard  issued an amber warning for the northern coast.",), "cosmetic")
C = Version("Gusts reach 90mph", ("Gusts of 90mph were recorded at Skerry Point this morning.",))


def _story() -> Story:
    posts = {
        "a": Post("a", "2026-11-24T07:40:00Z", False, [A, A2]),
        "b": Post("b", "2026-11-24T07:05:00Z", False, [B, B2]),
        "c": Post("c", "2026-11-24T08:15:00Z", False, [C]),
    }
    story = Story("blog", "guardian", posts)
    story.deliveries = [
        Delivery("blog", "guardian", {}, {"a": 0, "b": 0}, ("Comments (12)",)),
        Delivery("blog", "guardian", {}, {"c": 0, "a": 1, "b": 1}, ("Comments (49)",), step=1),
        Delivery("blog", "guardian", {}, {"c": 0, "a": 1, "b": 1}, (), step=1, kind="retry"),
    ]
    return story


def _event(kind: str, uid: str, version: Version, eid: str, extra: str = "") -> dict:
    text = "\n\n".join(version.paragraphs) + extra
    return {
        "type": kind,
        "update_id": uid,
        "update_kind": "post",
        "headline": version.headline,
        "text": text,
        "version": 1,
        "event_id": eid,
    }


def test_counts_created_once_missed_twice_revisions_chrome_and_repeated_ids() -> None:
    """Post a created once and revised once, b created once then revised for a cosmetic edit,
    c missed; a chrome line in one event; an event id published again on the retry."""
    created_a = _event("update.created", "ua", A, "e1")
    created_b = _event("update.created", "ub", B, "e2", "\nComments (12)")
    revised_a = _event("update.revised", "ua", A2, "e3")
    revised_b = _event("update.revised", "ub", B2, "e4")
    scores = score_story(_story(), [[created_a, created_b], [revised_a, revised_b], [revised_a]])
    counts = scores.counts
    assert (counts["posts"], counts["once"], counts["missed"], counts["twice"]) == (3, 2, 1, 0)
    assert (counts["material"], counts["revised"], counts["revised_ok"]) == (1, 3, 1)
    assert counts["cosmetic_events"] == 1
    assert (counts["events"], counts["chrome"], counts["dup_ids"]) == (5, 1, 1)
    assert counts["created"] == 2 and counts["fit_events"] == 2 and counts["fit_posts"] == 2


def test_a_merged_event_covers_both_posts_but_fits_neither() -> None:
    """One created event holding two posts counts each post created once and no right split."""
    story = _story()
    story.deliveries = story.deliveries[:1]
    merged = _event("update.created", "ux", A, "e1", "\n\n" + B.paragraphs[0])
    counts = score_story(story, [[merged]]).counts
    assert (counts["posts"], counts["once"], counts["fit_events"], counts["fit_posts"]) == (
        2,
        2,
        0,
        0,
    )


def test_the_bench_runs_on_our_own_fixtures(capsys) -> None:
    """`python -m bench.quality --own` replays our fixtures and prints every measure."""
    from bench.quality import main

    main(["--own", "--limit", "2", "--show-failures", "1"])
    out = capsys.readouterr().out
    assert "posts created exactly once" in out and "controls: one update with first line" in out
