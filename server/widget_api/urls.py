"""Widget HTTP routes."""

from django.urls import path, re_path

from server.widget_api import handlers, views

urlpatterns = [
    path("widget.js", views.widget_script, name="widget-script"),
    path("widget/panel.js", views.widget_panel_script, name="widget-panel-script"),
    path("api/widget/sites/<str:site_key>/config", views.widget_config, name="widget-config"),
    path("api/widget/sites/<str:site_key>/session", views.widget_session, name="widget-session"),
    # Last: any other path of the API answers its JSON 404, whatever DEBUG says.
    re_path(r"^api/widget/", handlers.widget_api_not_found, name="widget-api-not-found"),
]
