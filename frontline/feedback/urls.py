from django.urls import path

from frontline.feedback.views import survey_answer

urlpatterns = [path("<str:token>/", survey_answer, name="survey-answer")]
