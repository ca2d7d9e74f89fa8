from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView
from rest_framework_simplejwt import views as jwt_views

from accounts import services


class AuthThrottleMixin:
    """Sign-up and token endpoints are the ones guessed at: throttle them per client."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"


class RegisterApi(AuthThrottleMixin, APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    class InputSerializer(serializers.Serializer):
        username = serializers.RegexField(r"^[\w.@+-]+\Z", max_length=150)
        email = serializers.EmailField(max_length=254)
        password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField(source="user_id")
        username = serializers.CharField()
        email = serializers.EmailField()

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        account = services.register_user(**data.validated_data)
        return Response(self.OutputSerializer(account).data, status=status.HTTP_201_CREATED)


class TokenObtainApi(AuthThrottleMixin, jwt_views.TokenObtainPairView):
    def get_serializer_context(self):
        # django-axes marks a lockout on the request passed to authenticate(); hand it
        # Django's own request (not DRF's wrapper) so AxesMiddleware sees the mark.
        return {**super().get_serializer_context(), "request": self.request._request}


class TokenRefreshApi(AuthThrottleMixin, jwt_views.TokenRefreshView):
    pass


class TokenBlacklistApi(AuthThrottleMixin, jwt_views.TokenBlacklistView):
    pass


class MeApi(APIView):
    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField(max_length=254, required=False)
        first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
        last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField(source="user_id")
        username = serializers.CharField()
        email = serializers.EmailField()
        first_name = serializers.CharField()
        last_name = serializers.CharField()
        is_moderator = serializers.BooleanField()

    @extend_schema(responses=OutputSerializer)
    def get(self, request):
        return Response(self.OutputSerializer(services.get_account(user_id=request.user.pk)).data)

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def patch(self, request):
        data = self.InputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        account = services.update_profile(user_id=request.user.pk, **data.validated_data)
        return Response(self.OutputSerializer(account).data)
