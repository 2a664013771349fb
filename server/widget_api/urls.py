"""Widget HTTP routes."""

from django.urls import path

from server.widget_api import views

urlpatterns = [
    path("widget.js", views.widget_script, name="widget-script"),
    path("widget/panel.js", views.widget_panel_script, name="widget-panel-script"),
    path("api/widget/sites/<str:site_key>/config", views.widget_config, name="widget-config"),
    path("api/widget/sites/<str:site_key>/session", views.widget_session, name="widget-session"),
]
