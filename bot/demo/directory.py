"""The demo partnership's directory: organisations, people and groups from the seed documents."""

from __future__ import annotations

ORGANISATIONS = [
    # name, kind, phase, subscriber, category, maintained
    ("Hillside Primary", "school", "primary", True, "green", True),
    ("Meadowbank Primary", "school", "primary", False, "amber", False),
    ("Parkwood Academy", "school", "secondary", True, "yellow", False),
    ("Steel City Secondary", "school", "secondary", False, "red", False),
    ("Don Valley Special School", "school", "special", True, "amber", True),
    ("Riverside Nursery School", "school", "nursery", False, "green", True),
    ("Crookes Valley School", "school", "all-through", True, "red", False),
    ("Sheffield College", "college", "post-16", False, None, None),
    ("Northern Lights Trust", "trust", None, True, None, False),
    ("Sheffield City Council", "local authority", None, False, None, None),
    ("Learn Sheffield", "learn sheffield", None, False, None, None),
    ("South Yorkshire ICB", "health", None, False, None, None),
]

PEOPLE = [
    # name, email, role, organisation
    ("Alex Morgan", "alex@learnsheffield.co.uk", "admin", "Learn Sheffield"),
    ("Sam Patel", "sam@learnsheffield.co.uk", "staff", "Learn Sheffield"),
    ("Stella Barnes", "stella@learnsheffield.co.uk", "staff", "Learn Sheffield"),
    ("Evie Price", "evie@learnsheffield.co.uk", "staff", "Learn Sheffield"),
    ("Fiona Byrne", "fiona@learnsheffield.co.uk", "staff", "Learn Sheffield"),
    ("Jo Bloggs", "jo@hillside.sch.uk", "head", "Hillside Primary"),
    ("Amy Walsh", "amy@hillside.sch.uk", "member", "Hillside Primary"),
    ("Omar Khan", "omar@meadowbank.sch.uk", "head", "Meadowbank Primary"),
    ("Priya Shah", "priya@parkwood.sch.uk", "head", "Parkwood Academy"),
    ("Chris Lee", "chris@parkwood.sch.uk", "member", "Parkwood Academy"),
    ("Helen Wright", "helen@steelcity.sch.uk", "head", "Steel City Secondary"),
    ("Grace Okafor", "grace@donvalley.sch.uk", "head", "Don Valley Special School"),
    ("Tom Hughes", "tom@riverside.sch.uk", "head", "Riverside Nursery School"),
    ("Ben Carter", "ben@crookesvalley.sch.uk", "head", "Crookes Valley School"),
    ("Lucy Hall", "lucy@sheffcol.ac.uk", "member", "Sheffield College"),
    ("Mark Fielding", "mark@northernlights.org.uk", "member", "Northern Lights Trust"),
    ("Kate Dunn", "kate@northernlights.org.uk", "member", "Northern Lights Trust"),
    ("Rachel Green", "rachel@sheffield.gov.uk", "member", "Sheffield City Council"),
    ("Dan Cooper", "dan@sheffield.gov.uk", "member", "Sheffield City Council"),
    ("Nadia Rahman", "nadia@syicb.nhs.uk", "member", "South Yorkshire ICB"),
]

GROUPS = [
    # name, title, kind, description, {handle: role}
    (
        "board",
        "Children's Strategic Partnership Board",
        "board",
        "Meets about three times a year on a termly cycle; sets city priorities.",
        {
            "mark": "chair",
            "rachel": "member",
            "nadia": "member",
            "lucy": "member",
            "jo": "member",
            "priya": "member",
            "grace": "member",
            "stella": "officer",
            "evie": "officer",
        },
    ),
    (
        "attendance",
        "Attendance priority sub-group",
        "sub-group",
        "The city's first priority: persistent absence, attendance below 50%, core-city comparisons.",
        {
            "dan": "chair",
            "sam": "officer",
            "jo": "member",
            "priya": "member",
            "chris": "member",
            "helen": "member",
            "grace": "member",
            "omar": "member",
        },
    ),
    (
        "inclusion",
        "Inclusion and SEND priority sub-group",
        "sub-group",
        "Inclusion, SEND and alternative provision across phases.",
        {
            "grace": "chair",
            "tom": "member",
            "omar": "member",
            "nadia": "member",
            "fiona": "officer",
        },
    ),
    (
        "design",
        "Partnership design working group",
        "working group",
        "Designs the partnership: membership, terms of reference, consultation.",
        {
            "stella": "chair",
            "evie": "officer",
            "jo": "member",
            "priya": "member",
            "mark": "member",
            "rachel": "member",
            "lucy": "member",
            "ben": "member",
            "kate": "member",
        },
    ),
    (
        "triage",
        "Point-of-need triage (private)",
        "channel",
        "Learn Sheffield staff only: support requests arrive here.",
        {"sam": "chair", "stella": "member", "fiona": "member", "alex": "member"},
    ),
    (
        "bulletin",
        "Opportunities Bulletin",
        "channel",
        "The weekly Opportunities Bulletin: all-phase items for everyone.",
        {},
    ),
]
