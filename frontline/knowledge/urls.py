"""The public help center: /help/…"""

from django.urls import path

from frontline.knowledge import views

app_name = "help"

urlpatterns = [
    path("", views.help_index, name="index"),
    path("search", views.help_search, name="search"),
    path("articles/<int:article_id>-<slug:slug>/", views.help_article, name="article"),
    path("articles/<int:article_id>-<slug:slug>/vote", views.help_vote, name="vote"),
    path("<slug:slug>/", views.help_category, name="category"),
]
