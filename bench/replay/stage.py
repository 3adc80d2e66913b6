"""Stage public live-blog material for the quality replay, outside the repository.

Reads mirrored public repositories and writes JSON lines under `/work/data` (or `--out`):

- `liveblogs/lbs_bbc.jsonl`, `liveblogs/lbs_guardian.jsonl`: the LiveBlogSummary corpus
  (HAOHAOXUEXI5776/LiveBlogSummary, train split): BBC and Guardian live blogs with their real
  post boundaries, post times and post titles. The corpus is lower-cased and tokenised; this
  script detokenises it and restores case from a case dictionary (sentence starts, the blog's
  own title, and words seen capitalised mid-sentence in cased news text).
- `liveblogs/dcr.jsonl`: the Guardian's dotcom-rendering live-blog fixtures (cased, with
  blocks), converted from their TypeScript form with node.
- `controls/newswire.jsonl`: CoNLL-2003 (Reuters, 1996) documents as plain newswire articles
  (headline, dateline, sentences); `controls/guardian.jsonl`: ordinary Guardian articles from
  the dotcom-rendering fixtures (standfirst, subheads, captions).

One blog per line: {id, publisher, title, section, url, standfirst, posts: [{id, time,
headline, paragraphs, key_event}]} with posts newest first (page order). One control per line:
{id, publisher, title, url, paragraphs}. The text is third-party: it stays in /work/data.

    python -m bench.replay.stage [--blogs 120] [--out /work/data]
"""

from __future__ import annotations

import argparse
import html
import json
import re
import subprocess
import tempfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

MIRROR = Path("/work/.mirror")
LBS = MIRROR / "HAOHAOXUEXI5776+LiveBlogSummary/repo"
DCR = MIRROR / "guardian+dotcom-rendering/repo"
CONLL = MIRROR / "sunnypwang+CRF_demo/repo"
DCR_FIXTURES = "dotcom-rendering/fixtures/generated/fe-articles"
DCR_BLOGS = ("Live", "LiveBlogSingleContributor")
DCR_CONTROLS = ("Standard", "Analysis", "Comment", "Feature", "Interview", "Letter", "MatchReport")


def git_show(repo: Path, path: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "show", f"HEAD:{path}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def git_files(repo: Path, folder: str) -> list[str]:
    out = subprocess.run(
        ["git", "-C", str(repo), "ls-tree", "-r", "--name-only", "HEAD", folder],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return sorted(line for line in out.splitlines() if line.endswith(".json"))


# --- case dictionary ---------------------------------------------------------------------


def conll_documents() -> list[list[list[str]]]:
    """CoNLL-2003 documents as lists of sentences of tokens."""
    docs: list[list[list[str]]] = []
    sentence: list[str] = []
    for line in git_show(CONLL, "eng.testa.openNLP").splitlines():
        if line.startswith("-DOCSTART-"):
            docs.append([])
            continue
        if not line.strip():
            if sentence and docs:
                docs[-1].append(sentence)
            sentence = []
            continue
        sentence.append(line.split(" ")[0])
    return [doc for doc in docs if doc]


ACRONYMS = ("US", "UK", "EU", "UN", "NHS", "BBC", "FBI", "MP", "MPs", "TV", "PM", "SNP", "DUP")


def case_dictionary(cased_texts: list[str]) -> tuple[dict[str, str], set[str]]:
    """Lower-case word -> its usual cased form, from words seen mid-sentence in cased text
    (a word also seen in lower case must be capitalised ten times as often); and the set of
    words seen in lower case."""
    counts: dict[str, Counter[str]] = {}
    for text in cased_texts:
        for sentence in re.split(r"(?<=[.!?])\s+", text):
            words = re.findall(r"[A-Za-z][A-Za-z'\-]*", sentence)
            if sum(w.isupper() for w in words) * 2 > len(words):
                continue  # a headline in capitals
            for word in words[1:]:
                counts.setdefault(word.lower(), Counter())[word] += 1
    table = {}
    for lower, forms in counts.items():
        form, n = forms.most_common(1)[0]
        if form != lower and n >= 2 and forms[lower] * 10 <= n:
            table[lower] = form
    table.update({word.lower(): word for word in ACRONYMS})
    return table, {lower for lower, forms in counts.items() if forms[lower]}


# --- detokenising the LiveBlogSummary text -------------------------------------------------

_FIXES = [
    (re.compile(r"``\s*"), "“"),
    (re.compile(r"\s*''"), "”"),
    (re.compile(r"(^|\s)'(\w[^']*?[\w.!?,]) '(?=\s|$|[,.;:])"), r"\1'\2'"),
    (re.compile(r" (n't|'s|'re|'ve|'ll|'d|'m)\b"), r"\1"),
    (re.compile(r" ([,.;:!?%)\]])"), r"\1"),
    (re.compile(r"([(\[$£]) "), r"\1"),
    (re.compile(r"# (\w)"), r"#\1"),
    (re.compile(r"@ (\w)"), r"@\1"),
    (re.compile(r" - "), " \u2013 "),
    (re.compile(r"\s+"), " "),
]


def detokenise(text: str) -> str:
    for pattern, repl in _FIXES:
        text = pattern.sub(repl, text)
    return text.strip()


def truecase(text: str, table: dict[str, str]) -> str:
    def word(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "i":
            return "I"
        return table.get(token, token)

    text = re.sub(r"(?<![#@\w'\u2019])[a-z][a-z\-]*", word, text)
    # Sentence starts: the first letter, and the first letter after . ! ? and a space.
    text = re.sub(
        r"(^|[.!?]\s+|^[\"'\u2018“(]|[.!?]\s+[\"'\u2018“(])([a-z])",
        lambda m: m.group(1) + m.group(2).upper(),
        text,
    )
    return text


def unmojibake(text: str) -> str:
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def split_title(title: str) -> tuple[str, str]:
    """'Headline | US news | The Guardian' -> ('Headline', 'US news')."""
    parts = [part.strip() for part in title.split(" | ")]
    if len(parts) >= 3:
        return parts[0], parts[1]
    if title.endswith(" - BBC News"):
        return title[: -len(" - BBC News")], ""
    return parts[0], ""


def paragraphs_of(sentences: list[str], key: str) -> list[str]:
    """Regroup a post's sentences into paragraphs of one to three sentences (deterministic),
    never closing a paragraph inside an open quotation."""
    out: list[str] = []
    i, n = 0, sum(map(ord, key))
    while i < len(sentences):
        size = 1 + (n + i) % 3
        while i + size < len(sentences) and _open_quote(sentences[i : i + size]):
            size += 1
        out.append(" ".join(sentences[i : i + size]))
        i += size
    return out


def _open_quote(sentences: list[str]) -> bool:
    text = " ".join(sentences)
    return text.count("\u201c") > text.count("\u201d")


def post_time(value: list[int] | str) -> datetime:
    """The corpus gives Guardian times as [y, m, d, h, min] and BBC times as "HH:MM" only
    (the day is then a fixed one: only the order and the clock time matter here)."""
    if isinstance(value, str):
        hour, minute = (int(part) for part in value.split(":"))
        return datetime(2017, 11, 15, hour, minute, tzinfo=UTC)
    year, month, day, hour, minute = value
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def lbs_blog(
    raw: dict[str, Any], publisher: str, table: dict[str, str], common: set[str]
) -> dict[str, Any] | None:
    title, section = split_title(unmojibake(raw["title"]))
    local = dict(table)
    for token in re.findall(r"[A-Za-z][A-Za-z'\-]*", title):
        if token[0].isupper() and token.lower() not in common:
            local.setdefault(token.lower(), token)
    posts = []
    for doc in raw["documents"]:
        sentences = [truecase(detokenise(s), local) for s in doc["text"] if s.strip()]
        headline = truecase(detokenise(doc.get("title") or ""), local)
        if headline:
            headline = headline[0].upper() + headline[1:]
        if not sentences:
            continue
        time = post_time(doc["time"])
        posts.append(
            {
                "id": doc["block_id"],
                "time": time.isoformat().replace("+00:00", "Z"),
                "headline": headline,
                "paragraphs": paragraphs_of(sentences, doc["block_id"]),
                "key_event": bool(doc.get("is_key_event")),
            }
        )
    if len(posts) < 6:
        return None
    return {
        "id": raw["blog_id"],
        "publisher": publisher,
        "title": title,
        "section": section,
        "url": raw["url"],
        "standfirst": "",
        "posts": posts,
    }


# --- dotcom-rendering fixtures -------------------------------------------------------------


def dcr_json(name: str) -> dict[str, Any]:
    source = git_show(DCR, f"{DCR_FIXTURES}/{name}.ts")
    source = re.sub(r"^import .*$", "", source, flags=re.M)
    source = re.sub(r"^export const \w+: \w+ = ", "module.exports = ", source, flags=re.M)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "fixture.js")
        path.write_text(source)
        out = subprocess.run(
            ["node", "-e", f"process.stdout.write(JSON.stringify(require({str(path)!r})))"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    return json.loads(out)


def html_paragraphs(markup: str) -> list[str]:
    markup = re.sub(r"</(p|li|h2|h3|blockquote)>", "\n", markup)
    text = html.unescape(re.sub(r"<[^>]+>", "", markup))
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def element_paragraphs(element: dict[str, Any]) -> list[str]:
    kind = element["_type"].rsplit(".", 1)[-1]
    if kind in {"TextBlockElement", "SubheadingBlockElement", "BlockquoteBlockElement"}:
        return html_paragraphs(element.get("html", ""))
    if kind == "ImageBlockElement":
        data = element.get("data", {})
        caption = html_paragraphs(data.get("caption", "") or "")
        credit = data.get("credit", "")
        return (
            [" ".join(caption + ([f"Photograph: {credit}"] if credit else []))] if caption else []
        )
    return []


def dcr_blog(name: str) -> dict[str, Any]:
    raw = dcr_json(name)
    posts = []
    for block in raw["blocks"]:
        paragraphs = [p for e in block["elements"] for p in element_paragraphs(e)]
        if not paragraphs:
            continue
        moment = datetime.fromtimestamp(block["blockFirstPublished"] / 1000, UTC)
        posts.append(
            {
                "id": "block-" + block["id"],
                "time": moment.isoformat().replace("+00:00", "Z"),
                "headline": html.unescape(block.get("title") or ""),
                "paragraphs": paragraphs,
                "key_event": bool(block["attributes"].get("keyEvent")),
            }
        )
    posts.sort(key=lambda p: p["time"], reverse=True)
    return {
        "id": "dcr-" + name,
        "publisher": "guardian",
        "title": raw["headline"],
        "section": raw.get("sectionLabel") or "",
        "url": raw["webURL"],
        "standfirst": " ".join(html_paragraphs(raw.get("standfirst", ""))[:1]),
        "posts": posts,
    }


def dcr_control(name: str) -> dict[str, Any]:
    raw = dcr_json(name)
    paragraphs = html_paragraphs(raw.get("standfirst", ""))[:1]
    for block in raw["blocks"]:
        for element in block["elements"]:
            paragraphs.extend(element_paragraphs(element))
    return {
        "id": "dcr-" + name,
        "publisher": "guardian",
        "title": raw["headline"],
        "url": raw["webURL"],
        "paragraphs": paragraphs,
    }


def conll_control(number: int, doc: list[list[str]]) -> dict[str, Any]:
    lines = [detokenise(" ".join(sentence)) for sentence in doc]
    return {
        "id": f"conll-testa-{number}",
        "publisher": "reuters",
        "title": lines[0],
        "url": f"https://www.reuters-archive.example/1996/story-{number}",
        "paragraphs": lines[1:],
    }


def write(path: Path, records: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"{path}: {len(records)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("/work/data"))
    parser.add_argument("--blogs", type=int, default=120, help="per publisher")
    parser.add_argument("--controls", type=int, default=40)
    args = parser.parse_args()
    conll = conll_documents()
    dcr_blogs = [dcr_blog(name) for name in DCR_BLOGS]
    dcr_controls = [dcr_control(name) for name in DCR_CONTROLS]
    cased = [" ".join(" ".join(s) for s in doc) for doc in conll]
    cased += [" ".join(p for post in b["posts"] for p in post["paragraphs"]) for b in dcr_blogs]
    cased += [" ".join(c["paragraphs"]) for c in dcr_controls]
    table, common = case_dictionary(cased)
    for publisher in ("bbc", "guardian"):
        files = git_files(LBS, f"label_data/{publisher}_label/train")
        step = max(1, len(files) // (args.blogs * 2))
        blogs = []
        for path in files[::step]:
            blog = lbs_blog(json.loads(git_show(LBS, path)), publisher, table, common)
            if blog is not None:
                blogs.append(blog)
            if len(blogs) >= args.blogs:
                break
        write(args.out / "liveblogs" / f"lbs_{publisher}.jsonl", blogs)
    write(args.out / "liveblogs" / "dcr.jsonl", dcr_blogs)
    write(args.out / "controls" / "guardian.jsonl", dcr_controls)
    picked = [conll_control(i, doc) for i, doc in enumerate(conll) if len(doc) >= 5]
    write(args.out / "controls" / "newswire.jsonl", picked[: args.controls])


if __name__ == "__main__":
    main()
