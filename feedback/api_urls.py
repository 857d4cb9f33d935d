"""Feedback and rating API routes (included by portal/api_urls.py under /api/v1/)."""

from django.urls import path

from feedback import api

app_name = "feedback_api"

urlpatterns = [
    path("feedback/", api.FeedbackSubmitApi.as_view(), name="feedback-submit"),
    path("feedback/answers/", api.PublicAnswersApi.as_view(), name="feedback-answers"),
    path("feedback/categories/", api.CategoriesApi.as_view(), name="feedback-categories"),
    path("feedback/<str:code>/", api.FeedbackLookupApi.as_view(), name="feedback-lookup"),
    path("ratings/", api.RatingSubmitApi.as_view(), name="rating-submit"),
    path("ratings/stats/", api.RatingStatsApi.as_view(), name="rating-stats"),
]
