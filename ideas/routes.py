"""Every URL of the site, each with a name; templates and views link by name."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from starlette.routing import BaseRoute, Mount, NoMatchFound, Route, Router

from ideas.accounts import language_views as language
from ideas.accounts import profile_views as people
from ideas.accounts import signin
from ideas.accounts import views as accounts
from ideas.api import views as api
from ideas.challenges import duplicates_views as duplicates
from ideas.challenges import host_views as host
from ideas.challenges import hosting_views as hosting
from ideas.challenges import shortlist_views as shortlisting
from ideas.challenges import translation_views as translating
from ideas.challenges import views as challenges
from ideas.comments import views as comments
from ideas.impact import feeds as impact_feeds
from ideas.impact import views as impact
from ideas.jury import views as jury
from ideas.live import views as live
from ideas.media import card_views as share_cards
from ideas.media import views as media
from ideas.moderation import audit_views as audit_log
from ideas.moderation import views as moderation
from ideas.notifications import views as notifying
from ideas.settings import STATIC_DIR, Settings
from ideas.submissions import cluster_views as clustering
from ideas.submissions import feeds
from ideas.submissions import picker_views as picking
from ideas.submissions import search_views as finding
from ideas.submissions import views as submissions
from ideas.teams import matching_views as matching
from ideas.teams import views as teams
from ideas.voting import compare_views as comparing
from ideas.voting import views as voting
from ideas.web import convertors, health, preview
from ideas.web.static import VersionedStaticFiles


def routes(settings: Settings) -> list[BaseRoute]:
    # Every integer in a path is an id: ``{name:id}``, never ``:int`` (ideas.web.convertors).
    convertors.register()
    table: list[BaseRoute] = [
        Route("/", challenges.home, name="home"),
        Route("/search", finding.search_page, name="search"),
        Route("/healthz", health.healthz, name="healthz"),
        Route("/readyz", health.readyz, name="readyz"),
        # Accounts
        Route("/sign-in", accounts.sign_in_page, name="sign_in"),
        Route("/sign-out", accounts.sign_out_view, methods=["POST"], name="sign_out"),
        Route("/sign-in/{provider}", signin.start, name="sign_in.start"),
        Route("/sign-in/{provider}/callback", signin.callback, name="sign_in.callback"),
        Route("/settings", people.settings_page, name="settings"),
        Route("/language/{locale}", language.choose, name="language.choose"),
        Route("/language", language.save, methods=["POST"], name="language.save"),
        Route(
            "/settings/profile", people.update_profile, methods=["POST"], name="settings.profile"
        ),
        Route(
            "/settings/picture",
            people.update_picture,
            methods=["POST"],
            name="settings.picture",
        ),
        Route(
            "/settings/time-zone",
            people.update_time_zone,
            methods=["POST"],
            name="settings.time_zone",
        ),
        Route(
            "/settings/identities/link/{provider}",
            signin.link,
            methods=["POST"],
            name="settings.link",
        ),
        Route(
            "/settings/identities/{identity_id:id}/unlink",
            people.unlink,
            methods=["POST"],
            name="settings.unlink",
        ),
        Route(
            "/settings/sessions/{handle}/sign-out",
            people.end_session,
            methods=["POST"],
            name="settings.end_session",
        ),
        Route(
            "/settings/sign-out-everywhere",
            people.sign_out_everywhere,
            methods=["POST"],
            name="settings.sign_out_everywhere",
        ),
        Route("/settings/data.json", people.download_data, name="settings.data"),
        Route(
            "/settings/delete",
            people.delete_account,
            methods=["GET", "POST"],
            name="settings.delete",
        ),
        Route("/people/{user_id:id}", people.profile, name="profile"),
        Route("/admin/people", people.people, name="admin.people"),
        Route(
            "/admin/people/{user_id:id}/role",
            people.change_role,
            methods=["POST"],
            name="admin.role",
        ),
        Route(
            "/admin/people/{user_id:id}/suspension",
            people.suspend,
            methods=["POST"],
            name="admin.suspension",
        ),
        # Moderation: reports, the queues and the audit log.
        Route("/admin/moderation", moderation.admin_queue, name="admin.moderation"),
        Route(
            "/admin/moderation/{kind}/{item_id:id}",
            moderation.admin_decide,
            methods=["POST"],
            name="admin.moderate",
        ),
        Route("/admin/audit", audit_log.audit_log, name="admin.audit"),
        Route("/admin/audit.csv", audit_log.audit_csv, name="admin.audit_csv"),
        Route(
            "/challenges/{slug}/moderation",
            moderation.challenge_queue,
            name="challenge.moderation",
        ),
        Route(
            "/challenges/{slug}/moderation/{kind}/{item_id:id}",
            moderation.challenge_decide,
            methods=["POST"],
            name="challenge.moderate",
        ),
        Route(
            "/ideas/{idea_id:id}/report",
            moderation.report_idea,
            methods=["POST"],
            name="idea.report",
        ),
        Route(
            "/ideas/{idea_id:id}/hide",
            moderation.hide_idea,
            methods=["POST"],
            name="idea.hide",
        ),
        Route(
            "/ideas/{idea_id:id}/restore",
            moderation.restore_idea,
            methods=["POST"],
            name="idea.restore",
        ),
        Route(
            "/comments/{comment_id:id}/report",
            moderation.report_comment,
            methods=["POST"],
            name="comment.report",
        ),
        # Live pages: the event streams (deploy/nginx passes /events unbuffered).
        Route("/events", live.person_stream, name="live.person"),
        Route("/events/challenges/{slug}", live.challenge_stream, name="live.challenge"),
        Route("/events/ideas/{idea_id:id}", live.idea_stream, name="live.idea"),
        # Notifications, follows and e-mail; before /challenges/{slug} and /ideas/{id}/{slug}.
        Route("/notifications", notifying.notifications_page, name="notifications"),
        Route("/notifications/badge", notifying.badge, name="notifications.badge"),
        Route(
            "/notifications/read",
            notifying.mark_all_read,
            methods=["POST"],
            name="notifications.read",
        ),
        Route(
            "/notifications/{notification_id:id}/read",
            notifying.mark_read,
            methods=["POST"],
            name="notifications.mark_read",
        ),
        Route(
            "/challenges/{slug}/follow",
            notifying.follow_challenge,
            methods=["POST"],
            name="challenge.follow",
        ),
        Route(
            "/ideas/{idea_id:id}/follow",
            notifying.follow_idea,
            methods=["POST"],
            name="idea.follow",
        ),
        Route("/settings/email", notifying.email_settings, methods=["POST"], name="settings.email"),
        Route(
            "/unsubscribe/{token}",
            notifying.unsubscribe,
            methods=["GET", "POST"],
            name="unsubscribe",
        ),
        # Challenges
        Route(
            "/challenges/new",
            challenges.new_challenge,
            methods=["GET", "POST"],
            name="challenge.new",
        ),
        Route("/card.png", share_cards.site_card, name="site.card"),
        Route("/challenges/{slug}/card.png", share_cards.challenge_card, name="challenge.card"),
        Route("/challenges/{slug}", challenges.challenge_detail, name="challenge.detail"),
        Route("/challenges/{slug}/ideas/similar", finding.similar_ideas, name="idea.similar"),
        Route("/challenges/{slug}/ideas/build-on", picking.find_parents, name="idea.parent_search"),
        Route(
            "/challenges/{slug}/ideas/build-on/{idea_id:id}",
            picking.parent_item,
            name="idea.parent_item",
        ),
        Route("/challenges/{slug}/feed.atom", feeds.challenge_feed, name="challenge.feed"),
        Route(
            "/challenges/{slug}/edit",
            challenges.edit_challenge,
            methods=["GET", "POST"],
            name="challenge.edit",
        ),
        Route(
            "/challenges/{slug}/translations",
            translating.translations_page,
            methods=["GET", "POST"],
            name="challenge.translations",
        ),
        Route(
            "/challenges/{slug}/translations/{language}/remove",
            translating.remove_translation,
            methods=["POST"],
            name="challenge.translation_remove",
        ),
        Route(
            "/challenges/{slug}/hosts",
            challenges.hosts_page,
            methods=["GET", "POST"],
            name="challenge.hosts",
        ),
        Route("/hosting", hosting.invitations_page, name="hosting.invitations"),
        Route(
            "/hosting/{invitation_id:id}/accept",
            hosting.accept,
            methods=["POST"],
            name="hosting.accept",
        ),
        Route(
            "/hosting/{invitation_id:id}/decline",
            hosting.decline,
            methods=["POST"],
            name="hosting.decline",
        ),
        Route(
            "/challenges/{slug}/hosts/{user_id:id}/remove",
            challenges.remove_host,
            methods=["POST"],
            name="challenge.remove_host",
        ),
        Route(
            "/challenges/{slug}/shortlist",
            shortlisting.shortlist_page,
            name="challenge.shortlist",
        ),
        Route(
            "/challenges/{slug}/shortlist/{idea_id:id}",
            shortlisting.shortlist_idea,
            methods=["POST"],
            name="challenge.shortlist_idea",
        ),
        Route(
            "/challenges/{slug}/winners",
            shortlisting.winners_page,
            name="challenge.winners",
        ),
        Route(
            "/challenges/{slug}/winners/{idea_id:id}",
            shortlisting.award_idea,
            methods=["POST"],
            name="challenge.award_idea",
        ),
        Route(
            "/challenges/{slug}/duplicates",
            duplicates.duplicates_page,
            name="challenge.duplicates",
        ),
        Route(
            "/challenges/{slug}/duplicates",
            duplicates.group_ideas,
            methods=["POST"],
            name="challenge.group_duplicates",
        ),
        Route(
            "/challenges/{slug}/duplicates/{cluster_id:id}/ungroup",
            duplicates.ungroup,
            methods=["POST"],
            name="challenge.cluster_ungroup",
        ),
        Route(
            "/challenges/{slug}/duplicates/{cluster_id:id}/remove/{idea_id:id}",
            duplicates.remove_member,
            methods=["POST"],
            name="challenge.cluster_remove",
        ),
        Route(
            "/ideas/{idea_id:id}/cluster-requests",
            clustering.ask_to_group,
            methods=["POST"],
            name="idea.ask_to_group",
        ),
        Route(
            "/cluster-requests/{request_id:id}",
            clustering.answer_request,
            methods=["POST"],
            name="cluster_request.answer",
        ),
        Route("/challenges/{slug}/compare", comparing.compare_page, name="challenge.compare"),
        Route(
            "/challenges/{slug}/compare",
            comparing.compare_answer,
            methods=["POST"],
            name="challenge.compare_answer",
        ),
        Route("/challenges/{slug}/results", comparing.results_page, name="challenge.results"),
        # After the round: progress, check-ins, follow-up rounds, pledges to teams.
        Route("/challenges/{slug}/impact", impact.round_impact, name="impact.round"),
        Route("/challenges/{slug}/impact.atom", impact_feeds.impact_feed, name="impact.feed"),
        Route(
            "/challenges/{slug}/impact/check-ins",
            impact.save_check_ins,
            methods=["POST"],
            name="impact.check_ins",
        ),
        Route(
            "/challenges/{slug}/follow-up",
            impact.open_follow_up,
            methods=["POST"],
            name="impact.follow_up",
        ),
        Route("/teams/{team_id:id}/impact", impact.team_impact, name="impact.team"),
        Route(
            "/teams/{team_id:id}/impact/updates",
            impact.post_update,
            methods=["POST"],
            name="impact.post_update",
        ),
        Route(
            "/teams/{team_id:id}/pledges",
            impact.make_pledge,
            methods=["POST"],
            name="impact.pledge",
        ),
        Route(
            "/teams/{team_id:id}/pledges/{pledge_id:id}/withdraw",
            impact.withdraw_pledge,
            methods=["POST"],
            name="impact.withdraw_pledge",
        ),
        Route(
            "/teams/{team_id:id}/pledges/{pledge_id:id}/honour",
            impact.honour_pledge,
            methods=["POST"],
            name="impact.honour_pledge",
        ),
        # The jury: the hosts' setup and figures, a juror's queue and scores.
        Route("/challenges/{slug}/jury/setup", jury.setup_page, name="jury.setup"),
        Route(
            "/challenges/{slug}/jury/rubric",
            jury.save_rubric,
            methods=["POST"],
            name="jury.rubric",
        ),
        Route(
            "/challenges/{slug}/jury/settings",
            jury.save_settings,
            methods=["POST"],
            name="jury.settings",
        ),
        Route("/challenges/{slug}/jury/jurors", jury.invite, methods=["POST"], name="jury.invite"),
        Route(
            "/challenges/{slug}/jury/publish", jury.publish, methods=["POST"], name="jury.publish"
        ),
        Route("/challenges/{slug}/jury", jury.queue_page, name="jury.queue"),
        Route("/challenges/{slug}/jury/named", jury.set_named, methods=["POST"], name="jury.named"),
        Route("/challenges/{slug}/jury/ideas/{idea_id:id}", jury.score_page, name="jury.score"),
        Route(
            "/challenges/{slug}/jury/ideas/{idea_id:id}",
            jury.save_score,
            methods=["POST"],
            name="jury.save_score",
        ),
        Route(
            "/challenges/{slug}/jury/ideas/{idea_id:id}/conflict",
            jury.declare_conflict,
            methods=["POST"],
            name="jury.conflict",
        ),
        Route(
            "/challenges/{slug}/phase",
            challenges.switch_phase,
            methods=["POST"],
            name="challenge.switch_phase",
        ),
        Route(
            "/challenges/{slug}/dashboard",
            host.challenge_dashboard,
            name="challenge.dashboard",
        ),
        Route(
            "/challenges/{slug}/themes/{theme_id:id}/name",
            host.rename_theme,
            methods=["POST"],
            name="challenge.rename_theme",
        ),
        Route(
            "/challenges/{slug}/export/{dataset}.{fmt}",
            host.challenge_export,
            name="challenge.export",
        ),
        # Teams; /teams/requests before /teams/{team_id}.
        Route("/challenges/{slug}/teams", teams.challenge_teams, name="challenge.teams"),
        Route("/teams/requests", teams.my_requests, name="team.requests"),
        Route(
            "/teams/requests/{request_id:id}/withdraw",
            teams.withdraw_request,
            methods=["POST"],
            name="team.withdraw_request",
        ),
        Route(
            "/teams/requests/{request_id:id}/accept",
            teams.accept_invitation,
            methods=["POST"],
            name="team.accept_invitation",
        ),
        Route(
            "/teams/requests/{request_id:id}/decline",
            teams.decline_invitation,
            methods=["POST"],
            name="team.decline_invitation",
        ),
        Route("/teams/{team_id:id}", teams.team_page, name="team.detail"),
        Route("/teams/{team_id:id}/ask", teams.ask_to_join, methods=["POST"], name="team.ask"),
        Route(
            "/teams/{team_id:id}/requests/{request_id:id}/accept",
            teams.accept_request,
            methods=["POST"],
            name="team.accept_request",
        ),
        Route(
            "/teams/{team_id:id}/requests/{request_id:id}/decline",
            teams.decline_request,
            methods=["POST"],
            name="team.decline_request",
        ),
        Route("/teams/{team_id:id}/invite", teams.invite, methods=["POST"], name="team.invite"),
        Route("/teams/{team_id:id}/leave", teams.leave, methods=["POST"], name="team.leave"),
        Route(
            "/teams/{team_id:id}/members/{user_id:id}/remove",
            teams.remove_member,
            methods=["POST"],
            name="team.remove_member",
        ),
        Route("/teams/{team_id:id}/lead", teams.hand_over, methods=["POST"], name="team.hand_over"),
        Route("/teams/{team_id:id}/about", teams.edit_about, methods=["POST"], name="team.about"),
        Route(
            "/teams/{team_id:id}/updates",
            teams.post_update,
            methods=["POST"],
            name="team.post_update",
        ),
        Route("/teams/{team_id:id}/roles", teams.add_role, methods=["POST"], name="team.add_role"),
        Route(
            "/teams/{team_id:id}/roles/{role_id:id}",
            teams.edit_role,
            methods=["POST"],
            name="team.edit_role",
        ),
        Route(
            "/teams/{team_id:id}/roles/{role_id:id}/remove",
            teams.remove_role,
            methods=["POST"],
            name="team.remove_role",
        ),
        Route(
            "/teams/{team_id:id}/roles/{role_id:id}/fill",
            teams.fill_role,
            methods=["POST"],
            name="team.fill_role",
        ),
        # Team matching: people looking for a team, rankings, suggested teams
        Route(
            "/challenges/{slug}/looking",
            matching.looking_page,
            methods=["GET", "POST"],
            name="team.looking",
        ),
        Route(
            "/challenges/{slug}/looking/teams/{team_id:id}",
            matching.team_suggestions,
            name="team.suggestions",
        ),
        Route(
            "/challenges/{slug}/preferences",
            matching.preferences_page,
            methods=["GET", "POST"],
            name="team.preferences",
        ),
        Route(
            "/challenges/{slug}/suggest-teams",
            matching.suggest_teams,
            methods=["GET", "POST"],
            name="team.suggest",
        ),
        # Ideas
        Route(
            "/challenges/{slug}/ideas/new",
            submissions.new_idea,
            methods=["GET", "POST"],
            name="idea.new",
        ),
        # Before /ideas/{id}/{slug}, which would take "edit" or "history" for a slug.
        Route(
            "/ideas/{idea_id:id}/edit",
            submissions.edit_idea,
            methods=["GET", "POST"],
            name="idea.edit",
        ),
        Route("/ideas/{idea_id:id}/history", submissions.idea_history, name="idea.history"),
        Route("/ideas/{idea_id:id}/lineage", submissions.idea_lineage, name="idea.lineage"),
        Route(
            "/ideas/{idea_id:id}/withdraw",
            submissions.withdraw,
            methods=["POST"],
            name="idea.withdraw",
        ),
        Route(
            "/ideas/{idea_id:id}/coauthors",
            submissions.add_coauthor,
            methods=["POST"],
            name="idea.coauthors",
        ),
        Route(
            "/ideas/{idea_id:id}/coauthors/{user_id:id}/remove",
            submissions.remove_coauthor,
            methods=["POST"],
            name="idea.remove_coauthor",
        ),
        # Comments; before /ideas/{id}/{slug}, which would take "comments" for a slug.
        Route("/ideas/{idea_id:id}/comments", comments.thread_page, name="comment.thread"),
        Route(
            "/ideas/{idea_id:id}/comments",
            comments.post_comment,
            methods=["POST"],
            name="comment.post",
        ),
        Route(
            "/comments/{comment_id:id}/edit",
            comments.edit_comment,
            methods=["GET", "POST"],
            name="comment.edit",
        ),
        Route(
            "/comments/{comment_id:id}/delete",
            comments.delete_comment,
            methods=["POST"],
            name="comment.delete",
        ),
        # Votes; before /ideas/{id}/{slug}, which would take "vote" for a slug.
        Route("/ideas/{idea_id:id}/vote", voting.vote, methods=["POST"], name="idea.vote"),
        Route("/ideas/{idea_id:id}/votes", voting.vote_count, name="idea.votes"),
        Route("/ideas/{idea_id:id}/card.png", share_cards.idea_card, name="idea.card"),
        Route("/ideas/{idea_id:id}", submissions.idea_detail, name="idea.short"),
        Route("/ideas/{idea_id:id}/{slug}", submissions.idea_detail, name="idea.detail"),
        Route("/preview", preview.markdown_preview, methods=["POST"], name="markdown.preview"),
        Mount("/api/v1", routes=api.routes(), name="api"),
        Route("/pictures/{picture_id:id}/{size}.webp", media.picture, name="picture"),
        Mount("/static", VersionedStaticFiles(directory=STATIC_DIR), name="static"),
    ]
    if settings.is_development:
        table.append(
            Route(
                "/dev/sign-in",
                accounts.development_sign_in,
                methods=["POST"],
                name="dev.sign_in",
            )
        )
    return table


# URL builders ----------------------------------------------------------------


class NoRoute(NoMatchFound, LookupError):
    """The site has no route of that name (and those parameters).

    A LookupError too, so that code below the web layer, which never imports
    the router, can tell a link the site does not have.
    """


def path_builder(router: Router) -> Callable[..., str]:
    """The site's URL builder: ``path_for(name, **params)`` is the path of the
    route called ``name``; NoRoute if the site has none.

    Looks the route up by name instead of trying every route in turn, which
    Starlette's url_path_for does; pages build dozens of links. A route added
    to the router afterwards is still found, Starlette's way.
    """
    index = {route.name: route for route in router.routes if isinstance(route, Route)}

    def build(name: str, params: dict[str, object]) -> str:
        route = index.get(name)
        try:
            if route is not None:
                return str(route.url_path_for(name, **params))
            return str(router.url_path_for(name, **params))
        except NoMatchFound as missing:
            raise NoRoute(name, params) from missing

    # A path depends only on the route and its parameters: the same links (a card's,
    # a vote button's) are built again and again, so the recent ones are kept.
    @lru_cache(maxsize=4096)
    def remembered(name: str, items: tuple[tuple[str, object], ...]) -> str:
        return build(name, dict(items))

    def path_for(name: str, /, **params: object) -> str:
        try:
            return remembered(name, tuple(params.items()))
        except TypeError:  # a parameter that cannot be a key: built each time
            return build(name, params)

    return path_for


def site_path_builder(settings: Settings) -> Callable[..., str]:
    """The URL builder of the site ``settings`` describe, for work done without the
    app (``ideas worker``)."""
    return path_builder(Router(routes=routes(settings)))


def api_path_builder(router: Router) -> Callable[..., str]:
    """The API's URL builder: ``api_path_for(name, **params)`` is the path of an API
    resource by its route name inside the API (``api.challenge``), with the path
    the API is mounted at; KeyError for a name the API does not have.

    Made once per application, so a page of items does not try every route of
    the site for each link, as Starlette's url_path_for would.
    """
    index = {
        route.name: (mount.path, route)
        for mount in router.routes
        if isinstance(mount, Mount) and mount.name == "api"
        for route in mount.routes
        if isinstance(route, Route)
    }

    def api_path_for(name: str, /, **params: object) -> str:
        prefix, route = index[name]
        return prefix + str(route.url_path_for(name, **params))

    return api_path_for
