"""Routes of the site owners' pages, mounted at /owner/ by the server."""

from django.urls import path

from server.owner import team, views

app_name = "owner"

urlpatterns = [
    path("", views.home, name="home"),
    path("sites/new/", views.site_create, name="site-create"),
    path("sites/<int:site_id>/", views.site_settings, name="site-settings"),
    path("sites/<int:site_id>/preview/", views.site_preview, name="site-preview"),
    path("sites/<int:site_id>/install/", views.site_install, name="site-install"),
    path("sites/<int:site_id>/install/check/", views.installation, name="installation"),
    path("sites/<int:site_id>/install/allow-origin/", views.allow_origin, name="allow-origin"),
    path("sites/<int:site_id>/identity/rotate/", views.rotate_identity_secret, name="rotate-identity-secret"),
    path("sites/<int:site_id>/team/", team.team, name="team"),
    path("sites/<int:site_id>/team/invite/", team.invite, name="invite"),
    path("sites/<int:site_id>/team/<int:membership_id>/role/", team.change_role, name="change-role"),
    path("sites/<int:site_id>/team/<int:membership_id>/remove/", team.remove_member, name="remove-member"),
    path(
        "sites/<int:site_id>/team/invitations/<int:invitation_id>/revoke/",
        team.revoke_invitation,
        name="revoke-invitation",
    ),
    path("invitations/<str:token>/", team.accept_invitation, name="accept-invitation"),
]
