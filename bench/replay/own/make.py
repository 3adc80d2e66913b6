"""Writes our own fixtures (invented text) as JSON lines: `python bench/replay/own/make.py`.

Every name, place and event here is made up. Posts are listed oldest first in this script and
written newest first, as pages show them; times are minutes after each blog's start.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).parent

# (minutes, headline, paragraphs, key event)
FLOOD = [
    (
        0,
        "Welcome to our live coverage",
        [
            "Good morning. We are following the flooding along the River Marle after 48 hours of "
            "rain, with the latest from Dunmere, Carrow Bridge and the villages downstream.",
        ],
        False,
    ),
    (
        12,
        "Amber warning extended to Sunday",
        [
            "The Marle Valley Weather Service has extended its amber rain warning to 6pm on "
            "Sunday, saying a further 40mm could fall on saturated ground.",
            "Forecaster Hettie Grange said the heaviest bursts were expected overnight.",
        ],
        True,
    ),
    (
        25,
        "'We watched the water come through the door'",
        [
            "Residents of Fennick Row in Dunmere described being woken at 4am by neighbours "
            "banging on windows.",
            "\u201cWe watched the water come through the door and there was nothing we "
            "could do,\u201d "
            "said Maren Hollis, who has lived on the street for 31 years.",
        ],
        False,
    ),
    (31, "PHOTOS: Carrow Bridge under water", [], False),
    (
        40,
        "Which roads are closed?",
        [
            "The county council lists 14 closures, including the B4410 between Dunmere and "
            "Lowick and both approaches to Carrow Bridge.",
            "Drivers are asked not to follow satellite navigation around the closures.",
        ],
        True,
    ),
    (
        52,
        "#MarleFlood",
        [
            "Volunteers have been sharing pictures of sandbag stations under the hashtag, and the "
            "council says it has handed out 2,300 bags since Friday.",
        ],
        False,
    ),
    (
        60,
        "Rail: no trains between Dunmere and Lowick",
        [
            "Valley Rail says the line is closed after water covered the track near Ashby Halt. "
            "Replacement buses run every 30 minutes.",
        ],
        False,
    ),
    (
        71,
        "School closures: the list so far",
        [
            "Nine primary schools and Dunmere Academy are shut today. Head teacher Callum Breck "
            "said pupils would be set work online.",
        ],
        False,
    ),
    (
        83,
        "Evacuation centre opens at Lowick leisure centre",
        [
            "About 120 people spent the night at the centre, according to the Red Heron relief "
            "charity, which is running it with the council.",
            "Organiser Priya Thorne said dry clothes and phone chargers were most needed.",
        ],
        True,
    ),
    (
        95,
        "'It is the worst I have seen':",
        [
            "Farmer Gideon Ashcroft said he had moved 260 ewes to higher ground before dawn and "
            "lost fencing along half a mile of the river.",
        ],
        False,
    ),
    (
        104,
        "River level peaks at Carrow Bridge",
        [
            "The gauge at Carrow Bridge reached 4.7 metres at 11am, the highest reading since "
            "records began in 1968, the Marle River Trust said.",
            "Levels downstream are expected to rise for another six hours.",
        ],
        True,
    ),
    (
        118,
        "Minister to visit on Monday",
        [
            "Environment minister Odile Renshaw will visit Dunmere on Monday, her office said, "
            "and is expected to announce emergency grants for households.",
        ],
        False,
    ),
]

VOTE = [
    (
        0,
        "",
        [
            "Polls have closed across the Halvard Isles and counting has begun in all seven "
            "districts. We will bring you every declaration as it comes.",
        ],
        False,
    ),
    (
        9,
        "",
        [
            "Turnout in Port Esk was 71.2%, up from 64.8% at the last election, the returning "
            "officer said.",
        ],
        False,
    ),
    (
        17,
        "",
        [
            "The first ballot boxes from the outer islands have arrived by boat at Kettle Quay, a "
            "little later than planned because of the swell.",
            "Counting staff cheered as the crates came up the slipway.",
        ],
        False,
    ),
    (
        26,
        "First declaration: Ferrin North",
        [
            "Ferrin North has gone to the Coastal Alliance with 4,112 votes, a majority of 389 "
            "over the Islands First candidate.",
        ],
        True,
    ),
    (
        33,
        "",
        [
            "Islands First leader Tamsin Orrell tells reporters at the count that she is "
            "\u201cquietly confident\u201d about the southern districts.",
        ],
        False,
    ),
    (
        40,
        "",
        [
            "Counting under way in the sports hall at Port Esk. Photograph: Halvard Isles Gazette",
        ],
        False,
    ),
    (
        48,
        "",
        [
            "A recount has been called in Skerra West, where the two leading candidates are "
            "separated by just 17 votes.",
        ],
        True,
    ),
    (
        55,
        "",
        [
            "Some context: the Coastal Alliance needs four of the seven districts to govern "
            "alone. It held three before tonight.",
        ],
        False,
    ),
    (
        63,
        "Second declaration: Port Esk",
        [
            "Islands First hold Port Esk with 6,870 votes. Turnout there was the highest of the "
            "night so far.",
        ],
        True,
    ),
    (
        71,
        "",
        [
            "Coastal Alliance chair Bertil Ness says the party will "
            "\u201cwait for every vote\u201d "
            "before claiming anything.",
            "He declined to say whether he would talk to Islands First about a coalition.",
        ],
        False,
    ),
    (
        80,
        "",
        [
            "The Skerra West recount is complete: the Coastal Alliance wins by 21 votes.",
        ],
        True,
    ),
]

MATCH = [
    (
        0,
        "Team news",
        [
            "Redford make three changes from the side that drew at Oldcastle. Keeper Jonah "
            "Pike returns after injury.",
            "Ashgrove are unchanged.",
        ],
        False,
    ),
    (
        15,
        "Kick-off",
        [
            "We are under way at Marsh Lane in front of a crowd of 18,204.",
        ],
        False,
    ),
    (
        22,
        "GOAL! Redford 1-0 Ashgrove",
        [
            "Lena Voss heads in from a corner on 7 minutes. A free header, and the home fans are "
            "delighted.",
        ],
        True,
    ),
    (
        34,
        "Chance for Ashgrove",
        [
            "Tomas Reilly turns on the edge of the box and curls one just wide of the post.",
        ],
        False,
    ),
    (
        45,
        "Yellow card",
        [
            "Redford captain Amara Quinn is booked for a late challenge on Reilly.",
        ],
        False,
    ),
    (
        52,
        "Half-time: Redford 1-0 Ashgrove",
        [
            "A lively half. Redford deserve the lead but Ashgrove have had the better of the "
            "last 10 minutes.",
        ],
        True,
    ),
    (
        70,
        "GOAL! Redford 1-1 Ashgrove",
        [
            "Reilly again, and this time he scores, sweeping in a low cross from Nils Barrow on "
            "54 minutes.",
        ],
        True,
    ),
    (
        84,
        "Substitution",
        [
            "Redford bring on the teenager Kofi Ambler for his debut.",
        ],
        False,
    ),
    (
        97,
        "Penalty?",
        [
            "Ambler goes down in the box. The referee waves play on, and the replays suggest he "
            "was right.",
        ],
        False,
    ),
    (
        110,
        "Full-time: Redford 1-1 Ashgrove",
        [
            "Honours even. Redford stay fourth, two points ahead of Ashgrove.",
        ],
        True,
    ),
]

MARKETS = [
    (
        0,
        "",
        [
            "Good morning and welcome to our rolling coverage of business and the markets.",
        ],
        False,
    ),
    (
        8,
        "",
        [
            "Shares in Tallis Foods fell 6% in early trading after the grocer cut its profit "
            "forecast for the second time this year.",
            "Chief executive Wendell Marsh blamed higher energy and packaging costs.",
        ],
        True,
    ),
    (
        19,
        "",
        [
            "The Northmark index opened 0.4% lower at 7,412 points.",
        ],
        False,
    ),
    (
        27,
        "",
        [
            "Analyst Sabine Kerr at Holt & Vane said the Tallis warning was \u201cthe third from "
            "the sector in a month\u201d and that investors were braced for more.",
        ],
        False,
    ),
    (
        38,
        "",
        [
            "Factory output rose 1.3% in October, according to the statistics office, beating "
            "forecasts of 0.8%.",
        ],
        True,
    ),
    (
        46,
        "",
        [
            "Here is how the main indices stand at midday: Northmark down 0.2%, the Eastport "
            "composite up 0.1%, the Varn 50 flat.",
        ],
        False,
    ),
    (
        57,
        "",
        [
            "Tallis says it will close 23 of its smaller shops by March, affecting about 400 "
            "jobs, in a statement to the exchange.",
        ],
        True,
    ),
    (
        66,
        "",
        [
            "The Grendale Workers Union has called the closures \u201ca heavy blow\u201d "
            "and says it "
            "will seek talks with the company this week.",
        ],
        False,
    ),
    (
        75,
        "",
        [
            "That is all from us today. Thanks for reading, and we will be back tomorrow.",
        ],
        False,
    ),
]

BLOGS = [
    (
        "own-flood",
        "River Marle floods live: residents evacuated as river reaches record level",
        "UK news",
        "https://www.marle-courier.example/news/live/2026/nov/14/river-marle-floods",
        "Amber warning extended; 14 roads closed and trains cancelled",
        FLOOD,
    ),
    (
        "own-vote",
        "Halvard Isles election: results as they come in",
        "World news",
        "https://www.halvard-gazette.example/politics/live/2026/nov/12/election-results",
        "",
        VOTE,
    ),
    (
        "own-match",
        "Redford v Ashgrove: live",
        "Football",
        "https://www.fieldpost.example/sport/live/2026/nov/15/redford-v-ashgrove",
        "",
        MATCH,
    ),
    (
        "own-markets",
        "Tallis Foods cuts forecast again as factory output beats expectations",
        "Business",
        "https://www.ledger-daily.example/business/live/2026/nov/13/markets-live",
        "Rolling coverage of business, the economy and the markets",
        MARKETS,
    ),
]

CONTROLS = [
    (
        "own-wire",
        "Harbour authority fines ferry operator over late sailings",
        "https://www.wire-desk.example/2026/11/harbour-fine",
        [
            "PORT ESK, Halvard Isles 2026-11-10",
            "The Port Esk harbour authority fined ferry operator Brightline 42,000 crowns on "
            "Tuesday for repeated late sailings on the Kettle Quay route.",
            "The authority said 61 sailings left more than 30 minutes late between June and "
            "September.",
            "Brightline said it would appeal and blamed a shortage of deck crew.",
        ],
    ),
    (
        "own-feature",
        "How a village saved its last shop",
        "https://www.marle-courier.example/lifestyle/2026/nov/09/village-shop",
        [
            "When the owners of Lowick's only shop retired, 212 residents bought shares to keep "
            "it open. Two years on, it makes a small profit.",
            "A shop run by volunteers",
            "Twenty-eight volunteers take shifts behind the counter, from 7am until 7pm.",
            "Photograph: Ada Moss for the Courier",
            "What comes next",
            "The committee now wants to add a post office counter and a weekly market.",
        ],
    ),
    (
        "own-letter",
        "Bus cuts leave rural pensioners stranded",
        "https://www.ledger-daily.example/opinion/2026/nov/11/letters-bus-cuts",
        [
            "Your report on the withdrawal of the number 48 bus (10 November) missed the people "
            "it hurts most.",
            "In my village, 30 of us over 70 have no other way to reach the surgery in Dunmere.",
            "Elspeth Carrow",
            "Lowick, Marle Valley",
        ],
    ),
    (
        "own-results",
        "Marle Valley league: results and table",
        "https://www.fieldpost.example/sport/2026/nov/16/marle-valley-league",
        [
            "Saturday's results in the Marle Valley league:",
            "Redford 1 Ashgrove 1",
            "Lowick 3 Dunmere 0",
            "Carrow 2 Fennick 2",
            "Table: Redford 24 points, Ashgrove 22, Lowick 21, Carrow 18.",
        ],
    ),
]


def blog_record(blog_id, title, section, url, standfirst, posts):
    start = datetime(2026, 11, 14, 8, 0, tzinfo=UTC)
    out = []
    for number, (minutes, headline, paragraphs, key_event) in enumerate(posts):
        moment = start + timedelta(minutes=minutes)
        out.append(
            {
                "id": f"{blog_id}-p{number:02d}",
                "time": moment.isoformat().replace("+00:00", "Z"),
                "headline": headline,
                "paragraphs": paragraphs or [],
                "key_event": key_event,
            }
        )
    return {
        "id": blog_id,
        "publisher": "own",
        "title": title,
        "section": section,
        "url": url,
        "standfirst": standfirst,
        "posts": out[::-1],
    }


def main() -> None:
    with (HERE / "liveblogs" / "own.jsonl").open("w") as out:
        for blog in BLOGS:
            out.write(json.dumps(blog_record(*blog), ensure_ascii=False) + "\n")
    with (HERE / "controls" / "own.jsonl").open("w") as out:
        for control_id, title, url, paragraphs in CONTROLS:
            record = {"id": control_id, "publisher": "own", "title": title, "url": url}
            out.write(json.dumps({**record, "paragraphs": paragraphs}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
