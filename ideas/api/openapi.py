"""The OpenAPI 3.1 document of the API, written out as data.

Schemas here and TypedDicts in ``ideas.api.serializers`` describe the same
JSON; the tests check every real response against this document. Objects
list all their properties as required and allow no others, so a field added
to a response without being documented here fails the tests.
"""

from __future__ import annotations

from typing import Any

from ideas.accounts.names import DELETED_PARTICIPANT
from ideas.api.queries import IDEA_SORTS
from ideas.challenges.phases import PHASES, SCHEDULED_PHASES
from ideas.submissions.models import VISIBLE_STATUSES
from ideas.submissions.queries import Sort

JSON = "application/json"
Schema = dict[str, Any]


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: Schema) -> Schema:
    return {"oneOf": [schema, {"type": "null"}]}


def record(description: str, properties: dict[str, Schema]) -> Schema:
    """An object with exactly these properties, all present (some may be null)."""
    return {
        "type": "object",
        "description": description,
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def text(description: str, **extra: Any) -> Schema:
    return {"type": "string", "description": description, **extra}


def link(description: str) -> Schema:
    return text(description, format="uri")


def moment(description: str) -> Schema:
    return text(description + " ISO 8601, in UTC.", format="date-time")


def count(description: str) -> Schema:
    return {"type": "integer", "minimum": 0, "description": description}


def json_content(schema: Schema, description: str) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": schema}}}


def error_response(description: str) -> dict[str, Any]:
    return json_content(ref("Error"), description)


# Schemas ---------------------------------------------------------------------

CHALLENGE_FIELDS: dict[str, Schema] = {
    "id": {"type": "integer", "description": "Stable id; the cursor of the list."},
    "slug": text("The challenge's address, unique."),
    "title": text("Title.", maxLength=120),
    "question": text("The question the challenge asks.", maxLength=300),
    "sponsor": text("Who sponsors the round; empty when nobody does.", maxLength=120),
    "phase": ref("Phase"),
    "schedule": ref("Schedule"),
    "next_change": nullable(ref("NextChange")),
    "idea_count": {
        "type": "integer",
        "minimum": 0,
        "description": "Ideas posted to the challenge.",
    },
    "tags": {
        "type": "array",
        "items": {"type": "string", "maxLength": 40},
        "description": "Tags the hosts offer for the challenge's ideas, in the hosts' order.",
    },
    "settings": ref("ChallengeSettings"),
    "url": link("The challenge's page on the site."),
    "api_url": link("The challenge in this API."),
}

IDEA_FIELDS: dict[str, Schema] = {
    "id": {"type": "integer", "description": "Stable id."},
    "title": text("Title.", maxLength=120),
    "summary": text("A short summary, plain text.", maxLength=300),
    "status": ref("IdeaStatus"),
    "tags": {
        "type": "array",
        "items": {"type": "string", "maxLength": 40},
        "description": "Tags the authors chose among those the challenge offers.",
    },
    "authors": {
        "type": "array",
        "items": ref("Person"),
        "minItems": 1,
        "description": (
            "The author, then the co-authors. Someone who deleted their account is "
            f'named "{DELETED_PARTICIPANT}", without a link.'
        ),
    },
    "counts": ref("IdeaCounts"),
    "created_at": moment("When the idea was posted."),
    "updated_at": moment("When the idea was last changed."),
    "challenge": ref("ChallengeRef"),
    "cluster": nullable(ref("ClusterRef")),
    "theme": nullable(ref("ThemeRef")),
    "url": link("The idea's page on the site."),
    "api_url": link("The idea in this API."),
}

SCHEMAS: dict[str, Schema] = {
    "Phase": {
        "type": "string",
        "enum": [phase.value for phase in PHASES],
        "description": (
            "Where a round is: draft → ideas → review → teams → closed. Derived from the "
            "schedule unless a host switched it by hand; drafts are never public."
        ),
    },
    "Schedule": record(
        "When each phase starts; null when the phase is not scheduled.",
        {
            phase.value: nullable(moment(f"Start of the {phase.label} phase."))
            for phase in SCHEDULED_PHASES
        },
    ),
    "NextChange": record(
        "The next scheduled change of phase.",
        {"phase": ref("Phase"), "at": moment("When it happens.")},
    ),
    "ChallengeSettings": record(
        "What a participant needs to know about the round's rules.",
        {
            "vote_budget": nullable(
                {
                    "type": "integer",
                    "minimum": 1,
                    "description": "Votes each participant has in this challenge.",
                }
            ),
            "team_capacity": {
                "type": "integer",
                "minimum": 1,
                "description": "The most people a team can have.",
            },
            "one_team_per_participant": {
                "type": "boolean",
                "description": "Whether a participant may be on at most one team.",
            },
        },
    ),
    "ChallengeSummary": record("A challenge as listed.", CHALLENGE_FIELDS),
    "Challenge": record(
        "A challenge with its brief, hosts and winners.",
        {
            **CHALLENGE_FIELDS,
            "brief": text("The brief, in Markdown, as the hosts wrote it."),
            "brief_html": text("The brief rendered to HTML and sanitised."),
            "hosts": {"type": "array", "items": ref("Person"), "description": "The hosts."},
            "winners": {
                "type": "array",
                "items": ref("Winner"),
                "description": "Winning ideas, in the order they were named; empty until then.",
            },
        },
    ),
    "ChallengePage": record(
        "A page of challenges.",
        {
            "items": {"type": "array", "items": ref("ChallengeSummary")},
            "next": nullable(link("The next page; null on the last one.")),
        },
    ),
    "Person": record(
        "Someone taking part.",
        {
            "name": text("Display name."),
            "url": nullable(link("Their profile page; null when it is not public.")),
        },
    ),
    "Winner": record(
        "A winning idea.",
        {
            "id": {"type": "integer"},
            "title": text("Title.", maxLength=120),
            "citation": text("Why it won, in the hosts' words.", maxLength=300),
            "url": link("The idea's page on the site."),
        },
    ),
    "ChallengeRef": record(
        "The challenge an idea answers.",
        {
            "slug": text("The challenge's address."),
            "title": text("Title.", maxLength=120),
            "url": link("The challenge's page on the site."),
            "api_url": link("The challenge in this API."),
        },
    ),
    "IdeaStatus": {
        "type": "string",
        "enum": [status.value for status in VISIBLE_STATUSES],
        "description": (
            "Where an idea stands: published, shortlisted by the hosts, or a winner. "
            "Withdrawn and hidden ideas are not public."
        ),
    },
    "IdeaCounts": record(
        "The idea's counters.",
        {
            "votes": count("Votes cast for the idea."),
            "comments": count("Comments on the idea."),
            "build_count": count("Ideas that build on this one directly."),
            "influence": count("Ideas that descend from this one, directly or not."),
            "comparisons": count("Times participants compared the idea with another one."),
            "pairwise_score": nullable(
                {
                    "type": "number",
                    "minimum": 0,
                    "maximum": 1,
                    "description": (
                        "The estimated chance that participants prefer this idea to another "
                        "compared idea picked at random (a Bradley-Terry model fitted to all "
                        "the challenge's comparisons; 0.5 is average). Null until the idea "
                        "has been compared."
                    ),
                }
            ),
        },
    ),
    "IdeaSummary": record("An idea as listed.", IDEA_FIELDS),
    "Idea": record(
        "An idea with its text and the ideas it is linked to.",
        {
            **IDEA_FIELDS,
            "body": text("The body, in Markdown, as the authors wrote it.", maxLength=20_000),
            "body_html": text("The body rendered to HTML and sanitised."),
            "builds_on": {
                "type": "array",
                "items": ref("IdeaLink"),
                "description": (
                    "Public ideas this one builds on directly, oldest link first; "
                    "ancestors further up are in the lineage."
                ),
            },
            "built_on_by": {
                "type": "array",
                "items": ref("IdeaLink"),
                "description": (
                    "Public ideas that build on this one directly, oldest link first; "
                    "descendants further down are in the lineage."
                ),
            },
        },
    ),
    "IdeaLink": record(
        "An idea at the other end of a build-on link.",
        {
            "id": {"type": "integer"},
            "title": text("Title.", maxLength=120),
            "note": text(
                "What the building idea took or changed, in its authors' words; may be empty.",
                maxLength=200,
            ),
            "url": link("The idea's page on the site."),
            "api_url": link("The idea in this API."),
        },
    ),
    "IdeaPage": record(
        "A page of ideas.",
        {
            "items": {"type": "array", "items": ref("IdeaSummary")},
            "next": nullable(link("The next page; null on the last one.")),
        },
    ),
    "Lineage": record(
        "An idea's family: every idea it descends from and that descends from it.",
        {
            "idea_id": {"type": "integer", "description": "The idea the lineage is for."},
            "nodes": {
                "type": "array",
                "items": ref("LineageNode"),
                "description": "The ideas of the family, ancestors first, by depth and id.",
            },
            "edges": {
                "type": "array",
                "items": ref("LineageEdge"),
                "description": "Every build-on link between the family's ideas.",
            },
        },
    ),
    "LineageNode": record(
        (
            "An idea of the family. A withdrawn or hidden idea keeps its place in the "
            "graph with a null title and null links."
        ),
        {
            "id": {"type": "integer"},
            "title": nullable(text("Title; null when the idea is not public.", maxLength=120)),
            "depth": {
                "type": "integer",
                "description": (
                    "The fewest links between this idea and the one asked for: negative "
                    "for ideas it builds on, positive for ideas that build on it, 0 for itself."
                ),
            },
            "url": nullable(link("The idea's page; null when it is not public.")),
            "api_url": nullable(link("The idea in this API; null when it is not public.")),
        },
    ),
    "LineageEdge": record(
        "Idea `child` builds on idea `parent`.",
        {
            "child": {"type": "integer", "description": "The idea that builds on the other."},
            "parent": {"type": "integer", "description": "The idea built on."},
            "note": nullable(
                text(
                    "What the child took or changed; null when the child is not public.",
                    maxLength=200,
                )
            ),
        },
    ),
    "Results": record(
        (
            "Every ranking of a challenge's public ideas side by side, each with its method "
            "and parameters, so that anyone can recompute them. The jury's part is null until "
            "the hosts publish it."
        ),
        {
            "challenge": link("The challenge."),
            "page": link("The results page."),
            "jury_published": {
                "type": "boolean",
                "description": "Whether the jury's scores are public.",
            },
            "bridging": ref("BridgingSummary"),
            "methods": {
                "type": "object",
                "description": (
                    "For votes, pairwise, bridging, jury and combined: method and parameters."
                ),
                "additionalProperties": record(
                    "How one ranking is made.",
                    {
                        "method": text("The method, in one sentence."),
                        "parameters": {"type": "object", "description": "Its parameters."},
                    },
                ),
            },
            "items": {"type": "array", "items": ref("IdeaResult"), "description": "The ideas."},
            "clusters": {
                "type": "array",
                "items": ref("ClusterResult"),
                "description": "Clusters of duplicates, ranked by votes as one each.",
            },
        },
    ),
    "IdeaResult": record(
        "One idea's place in every ranking.",
        {
            "idea": link("The idea in the API."),
            "title": text("The idea's title.", maxLength=120),
            "votes": count("Votes for the idea itself."),
            "vote_rank": {
                "type": "integer",
                "minimum": 1,
                "description": (
                    "Its rank by votes; for an idea in a cluster of duplicates, the "
                    "cluster's rank (by distinct supporters), shared by its ideas."
                ),
            },
            "pairwise": nullable(ref("Interval")),
            "pairwise_rank": nullable({"type": "integer", "minimum": 1}),
            "comparisons": count("Comparisons the idea was in."),
            "bridging": nullable(ref("BridgingResult")),
            "jury": nullable(ref("JuryResult")),
            "combined_rank": nullable({"type": "integer", "minimum": 1}),
            "combined_score": nullable({"type": "number", "minimum": 0, "maximum": 1}),
            "cluster": nullable(
                {"type": "integer", "description": "The cluster of duplicates it is in."}
            ),
        },
    ),
    "ClusterRef": record(
        (
            "The cluster of duplicates the idea is in: ideas a host (or their authors, by "
            "consent) grouped because they say nearly the same thing. Each stays an idea of "
            "its own; a challenge's list shows the cluster once, as its earliest idea (a "
            "list kept to a theme shows each of its ideas)."
        ),
        {
            "id": {"type": "integer", "description": "Stable id of the cluster."},
            "ideas": {
                "type": "array",
                "items": link("An idea of the cluster in this API."),
                "minItems": 2,
                "description": "Its public ideas, earliest first, this one included.",
            },
            "supporters": count(
                "Distinct participants who voted for any of its ideas, each counted once."
            ),
        },
    ),
    "ThemeRef": record(
        (
            "The theme the idea is in: what a group of the challenge's ideas is about, as "
            "found from their words in the background. Null for an idea in none (a new "
            "idea until themes are found again, or a challenge with too few ideas)."
        ),
        {
            "id": {"type": "integer", "description": "Stable id of the theme."},
            "name": text("Its name: its most telling words, or the name its hosts gave it."),
        },
    ),
    "ThemeList": record(
        "Every theme of a challenge.",
        {
            "items": {
                "type": "array",
                "items": ref("Theme"),
                "description": "The themes, largest first; not paged.",
            },
        },
    ),
    "Theme": record(
        "A group of a challenge's ideas that are about the same thing.",
        {
            "id": {
                "type": "integer",
                "description": (
                    "Stable id of the theme, kept while themes are found again; the "
                    "`theme` of the challenge's list of ideas."
                ),
            },
            "name": text("Its name: its most telling words, or the name its hosts gave it."),
            "size": count("Its public ideas: the ideas the list kept to it holds."),
        },
    ),
    "ClusterResult": record(
        "A cluster of duplicates in the ranking by votes, where it stands as one.",
        {
            "id": {"type": "integer", "description": "Stable id of the cluster."},
            "ideas": {
                "type": "array",
                "items": link("An idea of the cluster in this API."),
                "minItems": 2,
                "description": "Its public ideas, earliest first.",
            },
            "supporters": count(
                "Distinct participants who voted for any of its ideas, each counted once."
            ),
            "vote_rank": {
                "type": "integer",
                "minimum": 1,
                "description": "Its rank by votes, shared by its ideas.",
            },
        },
    ),
    "Interval": record(
        "A score with its 95% interval.",
        {
            "score": {"type": "number"},
            "low": nullable({"type": "number"}),
            "high": nullable({"type": "number"}),
        },
    ),
    "BridgingSummary": record(
        (
            "The last bridging fit: whether there was enough data to show the scores, what it "
            "rested on, and the opinion groups' sizes (never who is in them)."
        ),
        {
            "enough_data": {
                "type": "boolean",
                "description": "Whether the minimums were met; without, no idea has a score.",
            },
            "fitted_at": nullable(moment("When the fit was made; null: never yet.")),
            "people": count("People whose ratings the fit used."),
            "ratings": count("Ratings the fit used."),
            "groups": {
                "type": "array",
                "items": {"type": "integer", "minimum": 1},
                "description": "The opinion groups' sizes, largest first.",
            },
            "minimums": record(
                "The data the fit needs before any score is shown.",
                {
                    "people": count("People with enough ratings."),
                    "ratings_per_person": count("Ratings a person needs to count."),
                    "ratings_per_idea": count("Ratings an idea needs to be scored."),
                },
            ),
        },
    ),
    "BridgingResult": record(
        "An idea's bridging score (its intercept in the fit) with its 95% bootstrap interval.",
        {
            "score": {"type": "number"},
            "low": {"type": "number"},
            "high": {"type": "number"},
            "ratings": count("Ratings of the idea the fit used."),
            "rank": {"type": "integer", "minimum": 1},
        },
    ),
    "JuryResult": record(
        "An idea's jury score (mean normalised mark) with its interval and rank.",
        {
            "score": {"type": "number"},
            "low": nullable({"type": "number"}),
            "high": nullable({"type": "number"}),
            "jurors": count("Jurors whose scores it rests on."),
            "rank": {"type": "integer", "minimum": 1},
        },
    ),
    "TeamList": record(
        "Every team of a challenge.",
        {
            "items": {
                "type": "array",
                "items": ref("Team"),
                "description": "The teams, in the order they formed; not paged.",
            },
        },
    ),
    "Team": record(
        (
            "The people working on a shortlisted idea, and the roles they still want "
            "filled. Requests to join, invitations and their messages are not public."
        ),
        {
            "id": {"type": "integer", "description": "Stable id."},
            "idea": ref("TeamIdea"),
            "lead": nullable(ref("Person")),
            "members": {
                "type": "array",
                "items": ref("TeamMember"),
                "description": "Everyone on the team, the lead included, in the order they joined.",
            },
            "member_count": count("How many people are on the team."),
            "capacity": {
                "type": "integer",
                "minimum": 1,
                "description": "The most people the team can have, as the challenge sets it.",
            },
            "open_roles": {
                "type": "array",
                "items": ref("OpenRole"),
                "description": "Roles nobody fills yet, in the order they were added.",
            },
            "pledges": ref("PledgeCounts"),
        },
    ),
    "PledgeCounts": record(
        "How many pledges the team has; who pledged what is not public.",
        {
            "standing": count("Pledges that hold: unconditional, or their condition met."),
            "waiting": count("Conditional pledges waiting for others to pledge too."),
        },
    ),
    "ImpactUpdateList": record(
        "An idea's impact updates after its round, the latest first: its status history.",
        {
            "idea": link("The idea in this API."),
            "status": nullable(ref("ImpactStatus")),
            "items": {"type": "array", "items": ref("ImpactUpdate")},
        },
    ),
    "ImpactStatus": text(
        "Where an idea stands after its round.",
        enum=["planned", "in progress", "piloted", "implemented", "stopped"],
    ),
    "ImpactUpdate": record(
        "A team's report on its idea's progress.",
        {
            "id": {"type": "integer", "description": "Stable id."},
            "status": ref("ImpactStatus"),
            "text": text("What happened, in Markdown."),
            "html": text("The text as sanitised HTML."),
            "links": {"type": "array", "items": link("Evidence."), "maxItems": 5},
            "figures": {
                "type": "array",
                "maxItems": 3,
                "items": record(
                    "A number, its unit and what it measures.",
                    {
                        "value": {"type": "number"},
                        "unit": text("The unit; may be empty.", maxLength=40),
                        "measures": text("What the number measures.", maxLength=120),
                    },
                ),
            },
            "pictures": {
                "type": "array",
                "maxItems": 3,
                "items": record(
                    "A picture with its description.",
                    {"url": link("The picture."), "alt": text("Its description.")},
                ),
            },
            "author": nullable(ref("Person")),
            "posted_at": moment("When it was posted."),
        },
    ),
    "TeamIdea": record(
        "The idea a team works on.",
        {
            "id": {"type": "integer"},
            "title": text("Title.", maxLength=120),
            "url": link("The idea's page on the site."),
        },
    ),
    "TeamMember": record(
        "Someone on a team.",
        {
            "name": text("Display name."),
            "url": nullable(link("Their profile page; null when it is not public.")),
            "role_title": text("What they do on the team; may be empty.", maxLength=80),
        },
    ),
    "OpenRole": record(
        "A role a team wants filled.",
        {
            "title": text("The role.", maxLength=80),
            "description": text("What the role does; may be empty.", maxLength=300),
            "skills": {
                "type": "array",
                "items": {"type": "string", "maxLength": 40},
                "description": "Skills the role asks for, by name.",
            },
        },
    ),
    "Error": record(
        "What went wrong.",
        {
            "error": text(
                "A code to branch on.",
                enum=["bad_request", "not_found", "method_not_allowed", "server_error"],
            ),
            "message": text("A sentence for people."),
        },
    ),
}

# Operations ------------------------------------------------------------------

COMMON_ERRORS = {
    "405": error_response("Only GET and HEAD are answered."),
    "500": error_response("Something went wrong on the server."),
}

SLUG_PARAMETER: dict[str, Any] = {
    "name": "slug",
    "in": "path",
    "required": True,
    "description": "The challenge's slug.",
    "schema": {"type": "string"},
}
ID_PARAMETER: dict[str, Any] = {
    "name": "id",
    "in": "path",
    "required": True,
    "description": "The idea's id.",
    "schema": {"type": "integer", "minimum": 1},
}

PATHS: dict[str, Any] = {
    "/challenges": {
        "get": {
            "operationId": "listChallenges",
            "summary": "List public challenges",
            "description": (
                "Every challenge a visitor may see, oldest first. Drafts are left out. "
                "A page may hold fewer than `limit` items, even none, while `next` is "
                "not null: follow `next` until it is null."
            ),
            "tags": ["challenges"],
            "parameters": [
                {
                    "name": "after",
                    "in": "query",
                    "description": "Start after the challenge with this id.",
                    "schema": {
                        "type": "integer",
                        "minimum": 0,
                        "maximum": 2**31 - 1,
                        "default": 0,
                    },
                },
                {
                    "name": "limit",
                    "in": "query",
                    "description": "How many challenges to look at for this page.",
                    "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
                },
            ],
            "responses": {
                "200": json_content(ref("ChallengePage"), "A page of challenges."),
                "400": error_response("`after` or `limit` is not a usable number."),
                **COMMON_ERRORS,
            },
        }
    },
    "/challenges/{slug}": {
        "get": {
            "operationId": "getChallenge",
            "summary": "Get a public challenge",
            "description": "One challenge with its brief, hosts and winners.",
            "tags": ["challenges"],
            "parameters": [SLUG_PARAMETER],
            "responses": {
                "200": json_content(ref("Challenge"), "The challenge."),
                "404": error_response("No public challenge has this slug."),
                **COMMON_ERRORS,
            },
        }
    },
    "/challenges/{slug}/ideas": {
        "get": {
            "operationId": "listChallengeIdeas",
            "summary": "List a challenge's public ideas",
            "description": (
                "The challenge's published, shortlisted and winning ideas, a page at a time. "
                "`top` sorts by votes, `newest` by when they were posted, `built-on` by "
                "how many ideas build on them directly, `influence` by how many descend "
                "from them, `trending` by their latest activity, `pairwise` by their "
                "pairwise score (ideas not compared yet last); all highest or latest "
                "first, ties broken by the higher id. Follow `next` until it is null."
            ),
            "tags": ["ideas"],
            "parameters": [
                SLUG_PARAMETER,
                {
                    "name": "sort",
                    "in": "query",
                    "description": "The order of the ideas.",
                    "schema": {
                        "type": "string",
                        "enum": [sort.value for sort in IDEA_SORTS],
                        "default": Sort.TOP.value,
                    },
                },
                {
                    "name": "after",
                    "in": "query",
                    "description": (
                        "An opaque cursor from the `next` link of the previous page; "
                        "it only works with the sort order it was made for."
                    ),
                    "schema": {"type": "string", "maxLength": 200},
                },
                {
                    "name": "limit",
                    "in": "query",
                    "description": "How many ideas a page holds at most.",
                    "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
                },
                {
                    "name": "theme",
                    "in": "query",
                    "description": (
                        "Only the ideas of this theme of the challenge (an `id` from its "
                        "themes), each on its own, duplicates included. The `next` link "
                        "keeps it."
                    ),
                    "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
                },
            ],
            "responses": {
                "200": json_content(ref("IdeaPage"), "A page of ideas."),
                "400": error_response(
                    "`sort`, `after` or `limit` cannot be used, or `theme` is not one of the "
                    "challenge's themes."
                ),
                "404": error_response("No public challenge has this slug."),
                **COMMON_ERRORS,
            },
        }
    },
    "/challenges/{slug}/themes": {
        "get": {
            "operationId": "listChallengeThemes",
            "summary": "List a challenge's themes",
            "description": (
                "The groups the challenge's ideas fall into by what they are about, found "
                "from their words in the background as ideas come in, with how many public "
                "ideas each holds. "
                "Empty until the challenge has enough ideas. List a theme's ideas with "
                "`/challenges/{slug}/ideas?theme={id}`."
            ),
            "tags": ["ideas"],
            "parameters": [SLUG_PARAMETER],
            "responses": {
                "200": json_content(ref("ThemeList"), "The themes."),
                "404": error_response("No public challenge has this slug."),
                **COMMON_ERRORS,
            },
        }
    },
    "/challenges/{slug}/teams": {
        "get": {
            "operationId": "listChallengeTeams",
            "summary": "List a challenge's teams",
            "description": (
                "The teams formed around the challenge's public shortlisted ideas, with "
                "their members and open roles. Nothing private: no requests to join, "
                "invitations or notes."
            ),
            "tags": ["teams"],
            "parameters": [SLUG_PARAMETER],
            "responses": {
                "200": json_content(ref("TeamList"), "The teams."),
                "404": error_response("No public challenge has this slug."),
                **COMMON_ERRORS,
            },
        }
    },
    "/challenges/{slug}/results": {
        "get": {
            "operationId": "getChallengeResults",
            "summary": "Get a challenge's results",
            "description": (
                "Per public idea: its vote count, its pairwise score with an interval, its "
                "bridging score with an interval (once there is enough data), its jury score "
                "with an interval (once published) and its combined rank, with the method "
                "and parameters of each ranking."
            ),
            "tags": ["challenges"],
            "parameters": [SLUG_PARAMETER],
            "responses": {
                "200": json_content(ref("Results"), "The results."),
                "404": error_response("No public challenge has this slug."),
                **COMMON_ERRORS,
            },
        }
    },
    "/ideas/{id}": {
        "get": {
            "operationId": "getIdea",
            "summary": "Get a public idea",
            "description": (
                "One idea with its text, authors, counts and the public ideas directly "
                "linked to it."
            ),
            "tags": ["ideas"],
            "parameters": [ID_PARAMETER],
            "responses": {
                "200": json_content(ref("Idea"), "The idea."),
                "404": error_response(
                    "No public idea has this id: it does not exist, was withdrawn or "
                    "hidden, or its challenge is not public."
                ),
                **COMMON_ERRORS,
            },
        }
    },
    "/ideas/{id}/lineage": {
        "get": {
            "operationId": "getIdeaLineage",
            "summary": "Get a public idea's lineage",
            "description": (
                "Every idea the idea descends from and that descends from it, with the "
                "links between them, up to 500 ideas."
            ),
            "tags": ["ideas"],
            "parameters": [ID_PARAMETER],
            "responses": {
                "200": json_content(ref("Lineage"), "The lineage."),
                "404": error_response("No public idea has this id."),
                **COMMON_ERRORS,
            },
        }
    },
    "/ideas/{id}/updates": {
        "get": {
            "operationId": "getIdeaUpdates",
            "summary": "Get a public idea's impact updates",
            "description": (
                "What the team of a shortlisted or winning idea has reported since its "
                "round: status, text, evidence, figures and pictures, the latest first."
            ),
            "tags": ["ideas"],
            "parameters": [ID_PARAMETER],
            "responses": {
                "200": json_content(ref("ImpactUpdateList"), "The updates."),
                "404": error_response("No public idea has this id."),
                **COMMON_ERRORS,
            },
        }
    },
    "/openapi.json": {
        "get": {
            "operationId": "getOpenAPIDocument",
            "summary": "This document",
            "tags": ["meta"],
            "responses": {
                "200": json_content(
                    {"type": "object", "description": "An OpenAPI 3.1 document."},
                    "The OpenAPI document of this API.",
                ),
                **COMMON_ERRORS,
            },
        }
    },
}

DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Ideas API",
        "version": "1",
        "summary": "Public challenge rounds and their ideas, read-only.",
        "description": (
            "What any visitor of the site can read, as JSON. No sign-in: every request "
            "is answered as for a visitor. Responses may be cached for a minute and "
            "read from any origin."
        ),
        "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"},
    },
    "servers": [{"url": "/api/v1"}],
    "tags": [
        {"name": "challenges", "description": "Challenge rounds."},
        {"name": "ideas", "description": "Ideas posted to challenges, and their lineage."},
        {"name": "teams", "description": "Teams formed around shortlisted ideas."},
        {"name": "meta", "description": "About the API itself."},
    ],
    "paths": PATHS,
    "components": {"schemas": SCHEMAS},
}
