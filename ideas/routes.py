"""Every URL of the site, each with a name; templates and views link by name."""

from __future__ import annotations

from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from ideas.accounts import profile_views as people
from ideas.accounts import signin
from ideas.accounts import views as accounts
from ideas.challenges import views as challenges
from ideas.settings import STATIC_DIR, Settings
from ideas.submissions import views as submissions
from ideas.web import health


def routes(settings: Settings) -> list[BaseRoute]:
    table: list[BaseRoute] = [
        Route("/", challenges.home, name="home"),
        Route("/healthz", health.healthz, name="healthz"),
        Route("/readyz", health.readyz, name="readyz"),
        # Accounts
        Route("/sign-in", accounts.sign_in_page, name="sign_in"),
        Route("/sign-out", accounts.sign_out_view, methods=["POST"], name="sign_out"),
        Route("/sign-in/{provider}", signin.start, name="sign_in.start"),
        Route("/sign-in/{provider}/callback", signin.callback, name="sign_in.callback"),
        Route("/settings", people.settings_page, name="settings"),
        Route(
            "/settings/profile", people.update_profile, methods=["POST"], name="settings.profile"
        ),
        Route(
            "/settings/identities/link/{provider}",
            signin.link,
            methods=["POST"],
            name="settings.link",
        ),
        Route(
            "/settings/identities/{identity_id:int}/unlink",
            people.unlink,
            methods=["POST"],
            name="settings.unlink",
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
        Route("/people/{user_id:int}", people.profile, name="profile"),
        Route("/admin/people", people.people, name="admin.people"),
        Route(
            "/admin/people/{user_id:int}/role",
            people.change_role,
            methods=["POST"],
            name="admin.role",
        ),
        Route(
            "/admin/people/{user_id:int}/suspension",
            people.suspend,
            methods=["POST"],
            name="admin.suspension",
        ),
        # Challenges
        Route(
            "/challenges/new",
            challenges.new_challenge,
            methods=["GET", "POST"],
            name="challenge.new",
        ),
        Route("/challenges/{slug}", challenges.challenge_detail, name="challenge.detail"),
        Route(
            "/challenges/{slug}/phase",
            challenges.switch_phase,
            methods=["POST"],
            name="challenge.switch_phase",
        ),
        # Ideas
        Route(
            "/challenges/{slug}/ideas/new",
            submissions.new_idea,
            methods=["GET", "POST"],
            name="idea.new",
        ),
        Route("/ideas/{idea_id:int}", submissions.idea_detail, name="idea.short"),
        Route("/ideas/{idea_id:int}/{slug}", submissions.idea_detail, name="idea.detail"),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
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
