"""Reports of listings, reviews and messages, and what moderators do about them (part 6).

Every moderator action goes through `moderate_report` (or `set_review_visibility`) and is
recorded as a ModerationAction: who, when, what, on which target.
"""

from django.db import IntegrityError
from django.utils import timezone

from accounts import services as accounts_services
from catalogue import services as catalogue_services
from community.models import MAX_REPORT_LENGTH, ModerationAction, Report, Review
from community.services import conversations, reviews
from community.services.data import AlreadyReported, ReportSummary, ReportTargetNotFound
from community.services.text import clean_text
from shop.common.errors import InvalidInput
from shop.common.transactions import service_transaction

ReportTarget = Report.Target
ReportReason = Report.Reason
ReportStatus = Report.Status
ModerationKind = ModerationAction.Action

REPORT_REASONS = Report.Reason.choices


def report(*, reporter_id: int, target_type: str, target_id: int, reason: str, text: str = "") -> ReportSummary:
    """A signed-in user reports a listing, a review or a message, once per target.

    The target must be one the reporter can see (an active listing; a visible review; a
    message of one of their conversations) and not their own: ReportTargetNotFound (404)
    otherwise. A second report of the same target is AlreadyReported (409; the unique
    constraint decides a race). Bad reason or text: InvalidInput. Runs in its own transaction.
    """
    if reason not in ReportReason.values:
        raise InvalidInput("Choose one of the reasons.", field="reason")
    cleaned = clean_text(text, field="text", max_length=MAX_REPORT_LENGTH, required=reason == ReportReason.OTHER)
    owner_id, excerpt = _target(target_type=target_type, target_id=target_id, reporter_id=reporter_id)
    try:
        with service_transaction():
            row = Report.objects.create(
                reporter_id=reporter_id,
                target_type=target_type,
                target_id=target_id,
                target_owner_id=owner_id,
                target_excerpt=excerpt[:300],
                reason=reason,
                text=cleaned,
            )
    except IntegrityError as exc:
        raise AlreadyReported() from exc
    return _summary(row)


def has_reported(*, reporter_id: int, target_type: str, target_id: int) -> bool:
    return Report.objects.filter(reporter_id=reporter_id, target_type=target_type, target_id=target_id).exists()


def _target(*, target_type: str, target_id: int, reporter_id: int) -> tuple[int, str]:
    """(owner id, excerpt) of a target the reporter may report; ReportTargetNotFound otherwise."""
    if target_type == ReportTarget.ITEM:
        item = catalogue_services.get_item_snapshots(item_ids=[target_id]).get(target_id)
        if item is None or not item.is_active or item.seller_id == reporter_id:
            raise ReportTargetNotFound()
        return item.seller_id, item.title
    if target_type == ReportTarget.REVIEW:
        review = Review.objects.filter(pk=target_id, hidden=False).values("buyer_id", "text", "rating").first()
        if review is None or review["buyer_id"] == reporter_id:
            raise ReportTargetNotFound()
        return review["buyer_id"], f"{review['rating']}★ {review['text']}"
    if target_type == ReportTarget.MESSAGE:
        message = conversations.get_message(message_id=target_id)
        if (
            message is None
            or message.hidden
            or message.sender_id == reporter_id
            or not conversations.message_visible_to(message_id=target_id, user_id=reporter_id)
        ):
            raise ReportTargetNotFound()
        return message.sender_id, message.body
    raise ReportTargetNotFound()


# --- Moderation ------------------------------------------------------------------------------


def moderate_report(*, report_id: int, moderator_id: int, action: str, note: str = "") -> str:
    """Act on one report: hide its target, dismiss it, or deactivate the target's author.

    Hiding closes every open report of the same target; the action is recorded either way.
    Returns the report's status after. Runs in its own transaction.
    """
    with service_transaction():
        row = Report.objects.select_for_update().filter(pk=report_id).first()
        if row is None:
            raise ReportTargetNotFound("No such report.")
        now = timezone.now()
        if action == ModerationKind.HIDE_TARGET:
            _hide(row, moderator_id=moderator_id)
            same_target = Report.objects.filter(
                target_type=row.target_type, target_id=row.target_id, status=ReportStatus.OPEN
            )
            same_target.update(status=ReportStatus.ACTIONED, resolved_at=now)
            row.status = ReportStatus.ACTIONED
        elif action == ModerationKind.DISMISS:
            row.status = ReportStatus.DISMISSED
        elif action == ModerationKind.DEACTIVATE_USER:
            accounts_services.deactivate_user(user_id=row.target_owner_id, actor_id=moderator_id)
            row.status = ReportStatus.ACTIONED
        else:
            raise InvalidInput("Unknown action.", field="action")
        row.resolved_at = now
        row.save(update_fields=["status", "resolved_at"])
        ModerationAction.objects.create(
            moderator_id=moderator_id,
            action=action,
            report=row,
            target_type=row.target_type,
            target_id=row.target_owner_id if action == ModerationKind.DEACTIVATE_USER else row.target_id,
            note=note[:300],
        )
    return row.status


def set_review_visibility(*, review_id: int, moderator_id: int, hidden: bool) -> bool:
    """A moderator hides or shows a review from the review admin; recorded when it changed."""
    with service_transaction():
        changed = reviews.set_review_hidden(review_id=review_id, hidden=hidden)
        if changed:
            ModerationAction.objects.create(
                moderator_id=moderator_id,
                action=ModerationKind.HIDE_REVIEW if hidden else ModerationKind.SHOW_REVIEW,
                target_type=ReportTarget.REVIEW,
                target_id=review_id,
            )
    return changed


def _hide(row: Report, *, moderator_id: int) -> None:
    if row.target_type == ReportTarget.ITEM:
        catalogue_services.hide_items(item_ids=[row.target_id], actor_id=moderator_id)
    elif row.target_type == ReportTarget.REVIEW:
        reviews.set_review_hidden(review_id=row.target_id, hidden=True)
    elif row.target_type == ReportTarget.MESSAGE:
        conversations.hide_message(message_id=row.target_id)


def _summary(row: Report) -> ReportSummary:
    return ReportSummary(
        report_id=row.pk,
        target_type=row.target_type,
        target_id=row.target_id,
        reason=row.reason,
        status=row.status,
        created_at=row.created_at,
    )
