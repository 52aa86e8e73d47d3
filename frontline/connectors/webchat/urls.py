from django.urls import path

from frontline.connectors.webchat import views

app_name = "webchat"

urlpatterns = [
    path("strings/", views.widget_strings, name="strings"),
    path("demo/", views.site_demo, name="demo"),
    path("attachments/<int:attachment_id>/", views.attachment_download, name="attachment"),
    path("<str:site_key>/attachments/", views.attachment_upload, name="attachment-upload"),
]
