from django.urls import path

from frontline.connectors.voice import views

urlpatterns = [
    path("twilio/<int:line_id>/incoming", views.incoming, name="voice-twilio-incoming"),
    path("twilio/<int:line_id>/wait", views.wait, name="voice-twilio-wait"),
    path("twilio/<int:line_id>/gather", views.gather, name="voice-twilio-gather"),
    path("twilio/<int:line_id>/queue-result", views.queue_result, name="voice-twilio-queue-result"),
    path("twilio/<int:line_id>/status", views.status, name="voice-twilio-status"),
    path("twilio/<int:line_id>/recording", views.recording, name="voice-twilio-recording"),
    path("twilio/<int:line_id>/goodbye", views.goodbye, name="voice-twilio-goodbye"),
]
