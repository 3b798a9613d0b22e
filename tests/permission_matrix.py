"""The reviewed table of expectations of ``tests/test_permission_matrix.py``: for every URL of
``registry.site_urls`` (its name, or its route when it has none), what each role gets for GET
and for POST.

An entry is ``"default; role,role=outcome; role=outcome"``: the outcome of every role not named,
then the exceptions. Outcomes: ``ok`` (2xx or a redirect elsewhere than a login page; also
400/409: allowed, its body or the stage refused — for a GET, the act's guard says why instead of
showing the form), ``login`` (sent to a login page, or 401),
``denied`` (403), ``not_found`` (404: hidden), ``method`` (405), ``invalid`` (400/409 to a role
that may NOT act: its body was refused before its permission was checked).

``invalid`` would mark a known weakness, not a permission: an action that validates the body
before it checks who acts, so that an outsider posting an empty body learns the fields it wants.
Every action now asks who acts first (issue 14: the guards' ``check_permission``, the review
workflow's ``requester_for``, ``team_seat``, ``appraiser_seat``, ``corrections_author``,
``may_answer``). Only the fee calculator's GET says ``invalid``: it answers everyone, and a
query without its figures is refused as such.

A new URL fails the matrix with the row it observed: check that row against ji-rules §1 and §6
and the app's ``rules.py`` before pasting it here; a row that lets a role in that the rules keep
out is a bug to fix in the app, not an entry.
"""

# The roles, in the order rows are read. The users are the demo's (``seed_demo``) where it has
# one; the test adds the others.
ROLES = (
    "anonymous",
    "participant",  # staff of the project's participant (every demo project's)
    "other_participant",  # staff of a participant of no demo project
    "aie",  # staff of the AIE engaged on every demo project (Bureau Veritas)
    "other_aie",  # staff of another accredited AIE (TÜV SÜD)
    "party",  # the host Party's designated focal point (Ukraine)
    "expert",  # an expert on the roster, appointed to the published project's appraisal
    "secretariat",
    "jisc",  # a serving JISC member, appraiser and review-team member, no conflict
    "jisc_conflicted",  # a serving member from the host Party: conflicted on every project
    "jisc_former",  # a JISC user whose term ended three years ago
    "superuser",  # is_staff and is_superuser, no role
)
DEMO_USERS = {
    "participant": "participant",
    "aie": "aie",
    "other_aie": "aie2",
    "party": "party",
    "expert": "expert3",
    "secretariat": "secretariat",
    "jisc": "jisc2",
}
OUTCOMES = ("ok", "login", "denied", "not_found", "method", "invalid")

# The object each URL is asked about: its project's stage (``key``) or the object behind a pk
# (``test_permission_matrix._objects``); a project URL without an entry asks about the final,
# verified and issued project.
PARAMS = {
    # a draft: only its participants know it
    **dict.fromkeys(
        [
            "project_edit",
            "document_upload",
            "project_engage",
            "approval_record",
            "api-project-update",
            "api-project-documents",
            "api-project-approvals",
            "api-project-engage",
        ],
        {"key": "draft"},
    ),
    # engaged: the AIE submits the PDD, the secretariat checks it, the participants withdraw
    **dict.fromkeys(
        [
            "submit_pdd",
            "check_pdd",
            "project_withdraw",
            "api-project-submit-pdd",
            "api-project-check-pdd",
            "api-project-withdraw",
        ],
        {"key": "engaged"},
    ),
    # open for comments
    "comment_add": {"key": "open"},
    "api-project-comments": {"key": "open"},
    "comment_answer": {"key": "open", "comment_id": "open_comment"},
    "comment_remove": {"key": "open", "comment_id": "open_comment"},
    "api-comment-answer": {"pk": "open_comment"},
    "api-comment-remove": {"pk": "open_comment"},
    "comment_attachment": {"pk": "attachment"},
    # comments closed: the determination, a change of AIE
    **dict.fromkeys(
        [
            "project_change_aie",
            "determination_file",
            "api-project-change-aie",
            "api-project-determination",
        ],
        {"key": "closed"},
    ),
    # determination submitted, its advance invoiced (credited, with a reimbursement)
    **dict.fromkeys(
        [
            "determination_check",
            "fee_detail",
            "fee_payment",
            "api-project-determination-check",
            "api-project-fee",
            "api-project-payment",
            "api-project-fees",
        ],
        {"key": "awaiting_fee"},
    ),
    # determination published: appraisal, review requests
    **dict.fromkeys(
        [
            "review_request",
            "appraisal_appoint",
            "api-project-appraisal-proposal",
            "api-project-appraisal",
            "api-project-review-requests",
        ],
        {"key": "published"},
    ),
    "api-project-review": {"key": "under_review"},
    # objects
    "approval_confirm": {"pk": "approval"},
    "api-approval-confirm": {"pk": "approval"},
    "engagement_decide": {"pk": "engagement"},
    "api-engagement-accept": {"pk": "engagement"},
    "api-engagement-decline": {"pk": "engagement"},
    "document_download": {"pk": "draft_document"},
    "api-document-download": {"pk": "draft_document"},
    "document_aside": {"pk": "open_document"},
    "api-document-set-aside": {"pk": "open_document"},
    **dict.fromkeys(
        [
            "verification_file",
            "monitoring_withdraw",
            "api-monitoring-report-withdraw",
            "api-monitoring-report-verification",
        ],
        {"pk": "monitoring_report"},
    ),
    "eru_transfer": {"pk": "eru_block"},
    # a component of the final project (projects.components)
    **dict.fromkeys(
        [
            "component_detail",
            "component_exclude",
            "api-project-component",
            "api-project-component-exclude",
        ],
        {"number": "component"},
    ),
    # changes after the determination (projects.changes) and the change of AIE for verification
    **dict.fromkeys(
        [
            "participation_change_cancel",
            "participation_change_approve",
            "api-participation-change-cancel",
            "api-participation-change-approve",
        ],
        {"pk": "participation_change"},
    ),
    **dict.fromkeys(
        ["monitoring_change_aie", "api-monitoring-report-change-aie"], {"pk": "monitoring_report"}
    ),
    "registry_account_deactivate": {"pk": "registry_account"},
    "api-registry-account-deactivate": {"pk": "registry_account"},
    "api-eru-block-transfer": {"pk": "eru_block"},
    **dict.fromkeys(
        [
            "invoice_detail",
            "invoice_payment",
            "invoice_credit",
            "invoice_pdf",
            "api-invoice-detail",
            "api-invoice-pdf",
            "api-invoice-payments",
            "api-invoice-credit-note",
        ],
        {"number": "invoice"},
    ),
    "credit_note_pdf": {"number": "credit_note"},
    "fees_owed_organisation": {"pk": "organisation"},
    "reimbursement_paid": {"pk": "reimbursement"},
    "api-reimbursement-paid": {"pk": "reimbursement"},
    **dict.fromkeys(
        [
            "appraisal_detail",
            "appraisal_declare",
            "appraisal_file",
            "api-appraisal-detail",
            "api-appraisal-declare",
            "api-appraisal-file",
        ],
        {"pk": "appraisal"},
    ),
    "appraisal_pdf": {"pk": "appraisal_form"},
    "request_pdf": {"pk": "review_request"},
    **dict.fromkeys(
        [
            "review_detail",
            "review_team",
            "review_clarify",
            "review_report",
            "review_report_pdf",
            "review_decide",
            "review_corrections",
            "review_confirm",
            "api-review-team",
            "api-review-clarifications",
            "api-review-report",
            "api-review-decision",
            "api-review-corrections",
            "api-review-corrections-confirm",
        ],
        {"pk": "review"},
    ),
    # the demo participant's first notification: its own inbox only (projects.inbox)
    "inbox_read": {"pk": "notification"},
    "inbox_open": {"pk": "notification"},
    "api-notification-read": {"pk": "notification"},
    "admin:otp_totp_totpdevice_config": {"pk": "totp_device"},
    "admin:otp_totp_totpdevice_qrcode": {"pk": "totp_device"},
    "clarification_detail": {"pk": "clarification"},
    "clarification_pdf": {"pk": "clarification"},
    "api-clarification-answer": {"pk": "clarification"},
    "clarification_file": {"pk": "clarification_file"},
    "committee_member_edit": {"pk": "member"},
    "committee_expert": {"pk": "expert"},
    **dict.fromkeys(
        [
            "meeting_detail",
            "meeting_edit",
            "meeting_agenda_pdf",
            "api-meeting-update",
            "meeting_minutes",
            "meeting_item_new",
            "meeting_minutes_publish",
            "api-meeting-minutes",
            "api-meeting-minutes-publish",
        ],
        {"number": "meeting"},
    ),
    "meeting_item_edit": {"number": "meeting", "pk": "meeting_item"},
}

EXPECTED: dict[str, dict[str, str]] = {
    # accounts (projects.account_views): anyone may log in and reset a password; the code and
    # enrolment steps only follow a right password (else back to the login page); the account
    # pages are each user's own.
    "login": {"GET": "ok", "POST": "ok"},
    "login_code": {"GET": "login", "POST": "login"},
    "login_enrol": {"GET": "login", "POST": "login"},
    "admin/login/": {"GET": "login", "POST": "login"},
    "account": {"GET": "ok; anonymous=login", "POST": "method; anonymous=login"},
    "account_token_new": {"GET": "method; anonymous=login", "POST": "ok; anonymous=login"},
    "account_token_revoke": {"GET": "method; anonymous=login", "POST": "ok; anonymous=login"},
    # the inbox (projects.inbox): each user's own; another's notification is hidden (404)
    "inbox": {"GET": "ok; anonymous=login", "POST": "method; anonymous=login"},
    "inbox_read": {
        "GET": "method; anonymous=login",
        "POST": "not_found; anonymous=login; participant=ok",
    },
    # following a notification's link marks it read, then redirects to its object
    "inbox_open": {
        "GET": "not_found; anonymous=login; participant=ok",
        "POST": "method; anonymous=login",
    },
    "inbox_read_all": {"GET": "method; anonymous=login", "POST": "ok; anonymous=login"},
    "inbox_preference": {"GET": "method; anonymous=login", "POST": "ok; anonymous=login"},
    "api-notifications": {"GET": "ok; anonymous=login", "POST": "method; anonymous=login"},
    "api-notification-read": {
        "GET": "method; anonymous=login",
        "POST": "not_found; anonymous=login; participant=ok",
    },
    "api-notifications-read-all": {
        "GET": "method; anonymous=login",
        "POST": "ok; anonymous=login",
    },
    "password_change": {"GET": "ok; anonymous=login", "POST": "ok; anonymous=login"},
    "password_change_done": {"GET": "ok; anonymous=login", "POST": "method; anonymous=login"},
    "password_reset": {"GET": "ok", "POST": "ok"},
    "password_reset_done": {"GET": "ok", "POST": "method"},
    "password_reset_confirm": {"GET": "ok", "POST": "ok"},
    "password_reset_complete": {"GET": "ok", "POST": "method"},
    # --- determinations.api: determinations: the AIE files (ji-rules §3 items 4, 11), the secretariat publishes, the
    # host's focal point issues ERUs (§3 item 13), the participants monitor (§3 item 10).
    "api-eru-block-transfer": {
        "GET": "method; anonymous=login",
        "POST": "denied; anonymous=login; party=ok",
    },
    # the registry accounts participants name for their ERUs (determinations.accounts): each
    # organisation its own; a project's, for its participants and the host's focal point
    "api-registry-accounts": {
        "GET": "denied; anonymous=login; participant,other_participant=ok",
        "POST": "denied; anonymous=login; participant,other_participant=ok",
    },
    "api-registry-account-deactivate": {
        "GET": "method; anonymous=login",
        "POST": "denied; anonymous=login; participant=ok; other_participant=not_found",
    },
    "api-project-registry-accounts": {
        "GET": "denied; anonymous=login; participant,party=ok",
        "POST": "method; anonymous=login",
    },
    "api-monitoring-report-verification": {
        "GET": "method; anonymous=login",
        "POST": "denied; anonymous=login; aie=ok",
    },
    "api-monitoring-report-withdraw": {
        "GET": "method; anonymous=login",
        "POST": "denied; anonymous=login; participant=ok",
    },
    "api-party-aau-holdings": {
        "GET": "method; anonymous=login",
        "POST": "denied; anonymous=login; party=ok",
    },
    "api-party-issuance": {"GET": "ok", "POST": "method"},
    "api-party-conversions": {"GET": "ok", "POST": "method"},
    "api-project-changes": {
        "GET": "ok",
        "POST": "denied; anonymous=login; participant=ok",
    },
    "api-project-determination": {
        "GET": "method; anonymous=login",
        "POST": "denied; anonymous=login; aie=ok",
    },
    "api-project-determination-check": {
        "GET": "method; anonymous=login",
        "POST": "denied; anonymous=login; secretariat=ok",
    },
    "api-project-monitoring-reports": {
        "GET": "ok",
        "POST": "denied; anonymous=login; participant=ok",
    },
    "api-project-reconciliation": {"GET": "ok", "POST": "method"},
    "api-verification-issuance": {
        "GET": "method; anonymous=login",
        "POST": "denied; anonymous=login; party=ok",
    },
    # Track 1 (para 23): the host's focal point records its projects and their verifications
    "api-track1-projects": {
        "GET": "method; anonymous=login",
        "POST": "denied; anonymous=login; party=ok",
    },
    "api-project-track1-verifications": {
        "GET": "method; anonymous=login",
        "POST": "denied; anonymous=login; party=ok",
    },
    "api-verification-publish": {
        "GET": "method; anonymous=login",
        "POST": "denied; anonymous=login; secretariat=ok",
    },
    # --- determinations.views: the same acts as HTML pages.
    "change_new": {
        "GET": "denied; anonymous=login; participant=ok",
        "POST": "denied; anonymous=login; participant=ok",
    },
    "determination_check": {
        "GET": "denied; anonymous=login; secretariat=ok",
        "POST": "denied; anonymous=login; secretariat=ok",
    },
    "determination_file": {
        "GET": "denied; anonymous=login; aie=ok",
        "POST": "denied; anonymous=login; aie=ok",
    },
    # the advance invoice before the determination is filed: invoices are confidential (ji-rules §6)
    "determination_invoice_preview": {
        "GET": "denied; anonymous=login; participant,secretariat=ok",
        "POST": "method; anonymous=login",
    },
    "eru_issue": {
        "GET": "denied; anonymous=login; party=ok",
        "POST": "denied; anonymous=login; party=ok",
    },
    "eru_transfer": {
        "GET": "denied; anonymous=login; party=ok",
        "POST": "denied; anonymous=login; party=ok",
    },
    # Track 1 (para 23): the host's focal point records its projects and their verifications
    "track1_project_new": {
        "GET": "denied; anonymous=login; party=ok",
        "POST": "denied; anonymous=login; party=ok",
    },
    "track1_verification_new": {
        "GET": "denied; anonymous=login; party=ok",
        "POST": "denied; anonymous=login; party=ok",
    },
    # the registry accounts a participant names for its ERUs: its own organisation's only
    "registry_accounts": {
        "GET": "denied; anonymous=login; participant,other_participant=ok",
        "POST": "denied; anonymous=login; participant,other_participant=ok",
    },
    "registry_account_deactivate": {
        "GET": "method; anonymous=login",
        "POST": "denied; anonymous=login; participant=ok; other_participant=not_found",
    },
    "monitoring_new": {
        "GET": "denied; anonymous=login; participant=ok",
        "POST": "denied; anonymous=login; participant=ok",
    },
    "monitoring_withdraw": {
        "GET": "denied; anonymous=login; participant=ok",
        "POST": "denied; anonymous=login; participant=ok",
    },
    "party_issuance": {"GET": "ok", "POST": "denied; party=ok"},
    # the secretariat records Parties' assigned amounts and emissions (determinations.inventory)
    "party_inventory": {
        "GET": "denied; anonymous=login; secretariat=ok",
        "POST": "denied; anonymous=login; secretariat=ok",
    },
    "verification_file": {
        "GET": "denied; anonymous=login; aie=ok",
        "POST": "denied; anonymous=login; aie=ok",
    },
    "verification_publish": {
        "GET": "denied; anonymous=login; secretariat=ok",
        "POST": "denied; anonymous=login; secretariat=ok",
    },
    # --- django.contrib.admin: the admin: only is_staff users get in (everyone else to its login page); the
    # superuser keeps reference data and Django's model permissions, and is refused the JISC's
    # confidential papers (appraisals, reviews, their log: ji-rules §6; User.has_perm) and the
    # record (determinations, fees, documents, comments, events: the secretariat's to inspect,
    # projects.admin.ReadOnlyAdminMixin).
    # django-otp's admin never shows a device's secret (config, QR code), not even to the
    # superuser (OTP_ADMIN_HIDE_SENSITIVE_DATA).
    "admin:otp_totp_totpdevice_config": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:otp_totp_totpdevice_qrcode": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin/(?P<url>.*)$": {
        "GET": "login; superuser=not_found",
        "POST": "login; superuser=not_found",
    },
    "admin/auth/group/<path:object_id>/": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin/authtoken/tokenproxy/<path:object_id>/": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin/axes/accessattempt/<path:object_id>/": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin/axes/accessfailurelog/<path:object_id>/": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin/axes/accesslog/<path:object_id>/": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin/determinations/determination/<path:object_id>/": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin/fees/feeassessment/<path:object_id>/": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin/fees/invoice/<path:object_id>/": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin/fees/reimbursement/<path:object_id>/": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin/otp_totp/totpdevice/<path:object_id>/": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin/projects/accreditation/<path:object_id>/": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin/projects/comment/<path:object_id>/": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin/projects/document/<path:object_id>/": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin/projects/event/<path:object_id>/": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin/projects/notification/<path:object_id>/": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin/projects/organisation/<path:object_id>/": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin/projects/party/<path:object_id>/": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin/projects/project/<path:object_id>/": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin/projects/sectoralscope/<path:object_id>/": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin/projects/user/<path:object_id>/": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin/reviews/appraisal/<path:object_id>/": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin/reviews/expert/<path:object_id>/": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin/reviews/jiscmember/<path:object_id>/": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin/reviews/meeting/<path:object_id>/": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin/reviews/review/<path:object_id>/": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin/reviews/reviewlog/<path:object_id>/": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin:app_list": {"GET": "login; superuser=ok", "POST": "login; superuser=ok"},
    "admin:auth_group_add": {"GET": "login; superuser=ok", "POST": "login; superuser=ok"},
    "admin:auth_group_change": {"GET": "login; superuser=ok", "POST": "login; superuser=ok"},
    "admin:auth_group_changelist": {"GET": "login; superuser=ok", "POST": "login; superuser=ok"},
    "admin:auth_group_delete": {"GET": "login; superuser=ok", "POST": "login; superuser=ok"},
    "admin:auth_group_history": {"GET": "login; superuser=ok", "POST": "login; superuser=ok"},
    "admin:auth_user_password_change": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin:authtoken_tokenproxy_add": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin:authtoken_tokenproxy_change": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin:authtoken_tokenproxy_changelist": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin:authtoken_tokenproxy_delete": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin:authtoken_tokenproxy_history": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin:autocomplete": {"GET": "login; superuser=denied", "POST": "login; superuser=method"},
    "admin:axes_accessattempt_add": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:axes_accessattempt_change": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin:axes_accessattempt_changelist": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin:axes_accessattempt_delete": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin:axes_accessattempt_history": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin:axes_accessfailurelog_add": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:axes_accessfailurelog_change": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin:axes_accessfailurelog_changelist": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin:axes_accessfailurelog_delete": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin:axes_accessfailurelog_history": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin:axes_accesslog_add": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:axes_accesslog_change": {"GET": "login; superuser=ok", "POST": "login; superuser=ok"},
    "admin:axes_accesslog_changelist": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin:axes_accesslog_delete": {"GET": "login; superuser=ok", "POST": "login; superuser=ok"},
    "admin:axes_accesslog_history": {"GET": "login; superuser=ok", "POST": "login; superuser=ok"},
    "admin:determinations_determination_add": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:determinations_determination_change": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:determinations_determination_changelist": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:determinations_determination_delete": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:determinations_determination_history": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    # recorded only through determinations.inventory, by the secretariat
    "admin/determinations/assignedamount/<path:object_id>/": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin:determinations_assignedamount_add": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:determinations_assignedamount_change": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:determinations_assignedamount_changelist": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:determinations_assignedamount_delete": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:determinations_assignedamount_history": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin/determinations/reportedemissions/<path:object_id>/": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin:determinations_reportedemissions_add": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:determinations_reportedemissions_change": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:determinations_reportedemissions_changelist": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:determinations_reportedemissions_delete": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:determinations_reportedemissions_history": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:fees_feeassessment_add": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:fees_feeassessment_change": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:fees_feeassessment_changelist": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:fees_feeassessment_delete": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:fees_feeassessment_history": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:fees_invoice_add": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:fees_invoice_change": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:fees_invoice_changelist": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:fees_invoice_delete": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:fees_invoice_history": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:fees_reimbursement_add": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:fees_reimbursement_change": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:fees_reimbursement_changelist": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:fees_reimbursement_delete": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:fees_reimbursement_history": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:index": {"GET": "login; superuser=ok", "POST": "login; superuser=ok"},
    "admin:jsi18n": {"GET": "login; superuser=ok", "POST": "login; superuser=method"},
    "admin:login": {"GET": "login", "POST": "login"},
    "admin:logout": {"GET": "ok; superuser=method", "POST": "ok"},
    "admin:otp_totp_totpdevice_add": {"GET": "login; superuser=ok", "POST": "login; superuser=ok"},
    "admin:otp_totp_totpdevice_change": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin:otp_totp_totpdevice_changelist": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin:otp_totp_totpdevice_delete": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin:otp_totp_totpdevice_history": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin:password_change": {"GET": "login; superuser=ok", "POST": "login; superuser=ok"},
    "admin:password_change_done": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=method",
    },
    "admin:projects_accreditation_add": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin:projects_accreditation_change": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin:projects_accreditation_changelist": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin:projects_accreditation_delete": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:projects_accreditation_history": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin:projects_comment_add": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:projects_comment_change": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:projects_comment_changelist": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:projects_comment_delete": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:projects_comment_history": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:projects_document_add": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:projects_document_change": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:projects_document_changelist": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:projects_document_delete": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:projects_document_history": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:projects_event_add": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:projects_event_change": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:projects_event_changelist": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:projects_event_delete": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:projects_event_history": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:projects_notification_add": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:projects_notification_change": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:projects_notification_changelist": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:projects_notification_delete": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:projects_notification_history": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:projects_organisation_add": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin:projects_organisation_change": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin:projects_organisation_changelist": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin:projects_organisation_delete": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin:projects_organisation_history": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin:projects_party_add": {"GET": "login; superuser=ok", "POST": "login; superuser=ok"},
    "admin:projects_party_change": {"GET": "login; superuser=ok", "POST": "login; superuser=ok"},
    "admin:projects_party_changelist": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin:projects_party_delete": {"GET": "login; superuser=ok", "POST": "login; superuser=ok"},
    "admin:projects_party_history": {"GET": "login; superuser=ok", "POST": "login; superuser=ok"},
    "admin:projects_project_add": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:projects_project_change": {"GET": "login; superuser=ok", "POST": "login; superuser=ok"},
    "admin:projects_project_changelist": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin:projects_project_delete": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:projects_project_history": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin:projects_sectoralscope_add": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin:projects_sectoralscope_change": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin:projects_sectoralscope_changelist": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin:projects_sectoralscope_delete": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin:projects_sectoralscope_history": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin:projects_user_add": {"GET": "login; superuser=ok", "POST": "login; superuser=ok"},
    "admin:projects_user_change": {"GET": "login; superuser=ok", "POST": "login; superuser=ok"},
    "admin:projects_user_changelist": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin:projects_user_delete": {"GET": "login; superuser=ok", "POST": "login; superuser=ok"},
    "admin:projects_user_history": {"GET": "login; superuser=ok", "POST": "login; superuser=ok"},
    "admin:reviews_appraisal_add": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:reviews_appraisal_change": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:reviews_appraisal_changelist": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:reviews_appraisal_delete": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:reviews_appraisal_history": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:reviews_expert_add": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:reviews_expert_change": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=denied",
    },
    "admin:reviews_expert_changelist": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin:reviews_expert_delete": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:reviews_expert_history": {"GET": "login; superuser=ok", "POST": "login; superuser=ok"},
    "admin:reviews_jiscmember_add": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:reviews_jiscmember_change": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=denied",
    },
    "admin:reviews_jiscmember_changelist": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin:reviews_jiscmember_delete": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:reviews_jiscmember_history": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin:reviews_meeting_add": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:reviews_meeting_change": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=denied",
    },
    "admin:reviews_meeting_changelist": {
        "GET": "login; superuser=ok",
        "POST": "login; superuser=ok",
    },
    "admin:reviews_meeting_delete": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:reviews_meeting_history": {"GET": "login; superuser=ok", "POST": "login; superuser=ok"},
    "admin:reviews_review_add": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:reviews_review_change": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:reviews_review_changelist": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:reviews_review_delete": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:reviews_review_history": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:reviews_reviewlog_add": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:reviews_reviewlog_change": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:reviews_reviewlog_changelist": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:reviews_reviewlog_delete": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:reviews_reviewlog_history": {
        "GET": "login; superuser=denied",
        "POST": "login; superuser=denied",
    },
    "admin:view_on_site": {
        "GET": "login; superuser=not_found",
        "POST": "login; superuser=not_found",
    },
    # --- django.contrib.auth.views
    "logout": {"GET": "method", "POST": "ok"},
    # --- django.views.i18n
    "set_language": {"GET": "ok", "POST": "ok"},
    # --- drf_spectacular.views
    "api-docs": {"GET": "ok", "POST": "method"},
    "schema": {"GET": "ok", "POST": "method"},
    # --- fees.api: invoices and payments: the paying participants and the secretariat only (ji-rules §6);
    # the revenue report for the secretariat and serving JISC members (3/CMP.2 para 17).
    "api-fee-quote": {"GET": "invalid", "POST": "method"},
    "api-fee-revenue": {
        "GET": "denied; anonymous=login; secretariat,jisc,jisc_conflicted=ok",
        "POST": "method; anonymous=login",
    },
    "api-invoice-credit-note": {
        "GET": "method; anonymous=login",
        "POST": "denied; anonymous=login; other_participant=not_found; secretariat=ok",
    },
    "api-invoice-detail": {
        "GET": "denied; anonymous=login; participant,secretariat=ok; other_participant=not_found",
        "POST": "method; anonymous=login",
    },
    "api-invoice-payments": {
        "GET": "method; anonymous=login",
        "POST": "denied; anonymous=login; other_participant=not_found; secretariat=ok",
    },
    "api-invoice-pdf": {
        "GET": "denied; anonymous=login; participant,secretariat=ok; other_participant=not_found",
        "POST": "method; anonymous=login",
    },
    "api-invoices": {
        "GET": "denied; anonymous=login; participant,other_participant,secretariat=ok",
        "POST": "method; anonymous=login",
    },
    "api-project-fee": {
        "GET": "denied; anonymous=login; participant,secretariat=ok",
        "POST": "method; anonymous=login",
    },
    "api-project-fees": {
        "GET": "denied; anonymous=login; participant,secretariat=ok",
        "POST": "method; anonymous=login",
    },
    "api-project-payment": {
        "GET": "method; anonymous=login",
        "POST": "denied; anonymous=login; secretariat=ok",
    },
    "api-reimbursement-paid": {
        "GET": "method; anonymous=login",
        "POST": "denied; anonymous=login; secretariat=ok",
    },
    "api-reimbursements": {
        "GET": "denied; anonymous=login; secretariat=ok",
        "POST": "method; anonymous=login",
    },
    # --- fees.report
    "fees_revenue": {
        "GET": "denied; anonymous=login; secretariat,jisc,jisc_conflicted=ok",
        "POST": "method",
    },
    # --- fees.views: the same as HTML pages.
    "credit_note_pdf": {
        "GET": "not_found; anonymous=login; participant,secretariat=ok",
        "POST": "method; anonymous=login",
    },
    "fee_detail": {
        "GET": "not_found; anonymous=login; participant,secretariat=ok",
        "POST": "method; anonymous=login",
    },
    "fee_payment": {
        "GET": "not_found; anonymous=login; participant=denied; secretariat=ok",
        "POST": "not_found; anonymous=login; participant=denied; secretariat=ok",
    },
    "fees_calculator": {"GET": "ok", "POST": "method"},
    "fees_home": {
        "GET": "denied; anonymous=login; participant,other_participant,secretariat=ok",
        "POST": "method; anonymous=login",
    },
    # what an organisation owes: its own staff's page; the secretariat lists and opens any
    "fees_owed": {
        "GET": "denied; anonymous=login; participant,other_participant,secretariat=ok",
        "POST": "method; anonymous=login",
    },
    "fees_owed_organisation": {
        "GET": "denied; anonymous=login; participant,secretariat=ok; other_participant=not_found",
        "POST": "method; anonymous=login",
    },
    "invoice_credit": {
        "GET": "not_found; anonymous=login; participant=denied; secretariat=ok",
        "POST": "not_found; anonymous=login; participant=denied; secretariat=ok",
    },
    "invoice_detail": {
        "GET": "not_found; anonymous=login; participant,secretariat=ok",
        "POST": "method; anonymous=login",
    },
    "invoice_payment": {
        "GET": "not_found; anonymous=login; participant=denied; secretariat=ok",
        "POST": "not_found; anonymous=login; participant=denied; secretariat=ok",
    },
    "invoice_pdf": {
        "GET": "not_found; anonymous=login; participant,secretariat=ok",
        "POST": "method; anonymous=login",
    },
    "reimbursement_paid": {
        "GET": "not_found; anonymous=login; participant=denied; secretariat=ok",
        "POST": "not_found; anonymous=login; participant=denied; secretariat=ok",
    },
    # --- projects.account_views
    # --- projects.api: projects/rules.py: a draft is its participants' (404 to others); each act by the role
    # of ji-rules §1.
    "api-aies": {"GET": "ok", "POST": "method"},
    "api-approval-confirm": {
        "GET": "method; anonymous=login",
        "POST": "not_found; anonymous=login; participant,aie,secretariat=denied; party=ok",
    },
    "api-comment-answer": {
        "GET": "method; anonymous=login",
        "POST": "denied; anonymous=login; aie=ok",
    },
    "api-comment-remove": {
        "GET": "method; anonymous=login",
        "POST": "denied; anonymous=login; secretariat=ok",
    },
    "api-document-download": {"GET": "not_found; participant,secretariat=ok", "POST": "method"},
    "api-document-set-aside": {
        "GET": "method; anonymous=login",
        "POST": "denied; anonymous=login; secretariat=ok",
    },
    "api-engagement-accept": {
        "GET": "method; anonymous=login",
        "POST": "not_found; anonymous=login; participant,secretariat=denied; aie=ok",
    },
    "api-engagement-decline": {
        "GET": "method; anonymous=login",
        "POST": "not_found; anonymous=login; participant,secretariat=denied; aie=ok",
    },
    "api-engagements": {"GET": "ok; anonymous=login", "POST": "method; anonymous=login"},
    "api-parties": {"GET": "ok", "POST": "method"},
    "api-project-approvals": {
        "GET": "method; anonymous=login",
        "POST": "not_found; anonymous=login; participant,party=ok",
    },
    "api-project-change-aie": {
        "GET": "method; anonymous=login",
        "POST": "denied; anonymous=login; participant=ok",
    },
    "api-project-check-pdd": {
        "GET": "method; anonymous=login",
        "POST": "not_found; anonymous=login; participant,aie,party=denied; secretariat=ok",
    },
    "api-project-comments": {"GET": "ok", "POST": "ok"},
    "api-project-documents": {
        "GET": "method; anonymous=login",
        "POST": "not_found; anonymous=login; participant=ok; party=denied",
    },
    "api-project-engage": {
        "GET": "method; anonymous=login",
        "POST": "not_found; anonymous=login; participant=ok; party=denied",
    },
    "api-project-submit-pdd": {
        "GET": "method; anonymous=login",
        "POST": "not_found; anonymous=login; participant,party,secretariat=denied; aie=ok",
    },
    "api-project-terminate": {
        "GET": "method; anonymous=login",
        "POST": "denied; anonymous=login; participant,secretariat=ok",
    },
    # components of a programme (projects.components): public with it; its participants act
    "api-project-components": {"GET": "ok", "POST": "denied; anonymous=login; participant=ok"},
    "api-project-component": {"GET": "ok", "POST": "method; anonymous=login"},
    "api-project-component-exclude": {
        "GET": "method",
        "POST": "denied; anonymous=login; participant=ok",
    },
    "api-project-timeline": {"GET": "ok", "POST": "method"},
    "api-project-update": {
        "GET": "method; anonymous=login",
        "POST": "not_found; anonymous=login; participant=ok; party=denied",
    },
    "api-project-withdraw": {
        "GET": "method; anonymous=login",
        "POST": "not_found; anonymous=login; participant=ok; aie,party,secretariat=denied",
    },
    "api-scopes": {"GET": "ok", "POST": "method"},
    "api-token": {"GET": "method", "POST": "ok"},
    # --- projects.views: projects/rules.py, as HTML pages.
    "approval_confirm": {
        "GET": "not_found; anonymous=login; participant,aie,secretariat=denied; party=ok",
        "POST": "not_found; anonymous=login; participant,aie,secretariat=denied; party=ok",
    },
    "approval_record": {
        "GET": "not_found; anonymous=login; participant,party=ok",
        "POST": "not_found; anonymous=login; participant,party=ok",
    },
    "check_pdd": {
        "GET": "not_found; anonymous=login; participant,aie,party=denied; secretariat=ok",
        "POST": "not_found; anonymous=login; participant,aie,party=denied; secretariat=ok",
    },
    "comment_add": {"GET": "ok", "POST": "ok"},
    "comment_answer": {
        "GET": "denied; anonymous=login; aie=ok",
        "POST": "denied; anonymous=login; aie=ok",
    },
    "comment_attachment": {"GET": "ok", "POST": "method"},
    "comment_remove": {
        "GET": "denied; anonymous=login; secretariat=ok",
        "POST": "denied; anonymous=login; secretariat=ok",
    },
    "document_aside": {
        "GET": "denied; anonymous=login; secretariat=ok",
        "POST": "denied; anonymous=login; secretariat=ok",
    },
    "document_download": {"GET": "not_found; participant,secretariat=ok", "POST": "method"},
    "document_upload": {
        "GET": "not_found; anonymous=login; participant=ok; party=denied",
        "POST": "not_found; anonymous=login; participant=ok; party=denied",
    },
    "engagement_decide": {
        "GET": "not_found; anonymous=login; aie=ok",
        "POST": "not_found; anonymous=login; aie=ok",
    },
    "project_change_aie": {
        "GET": "denied; anonymous=login; participant=ok",
        "POST": "denied; anonymous=login; participant=ok",
    },
    "project_edit": {
        "GET": "not_found; anonymous=login; participant=ok; party=denied",
        "POST": "not_found; anonymous=login; participant=ok; party=denied",
    },
    "project_engage": {
        "GET": "not_found; anonymous=login; participant=ok; party=denied",
        "POST": "not_found; anonymous=login; participant=ok; party=denied",
    },
    "project_new": {
        "GET": "denied; anonymous=login; participant,other_participant=ok",
        "POST": "denied; anonymous=login; participant,other_participant=ok",
    },
    "project_terminate": {
        "GET": "denied; anonymous=login; participant,secretariat=ok",
        "POST": "denied; anonymous=login; participant,secretariat=ok",
    },
    "component_detail": {"GET": "ok", "POST": "method"},
    "component_include": {
        "GET": "denied; anonymous=login; participant=ok",
        "POST": "denied; anonymous=login; participant=ok",
    },
    "component_exclude": {
        "GET": "denied; anonymous=login; participant=ok",
        "POST": "denied; anonymous=login; participant=ok",
    },
    "project_withdraw": {
        "GET": "not_found; anonymous=login; participant=ok; aie,party,secretariat=denied",
        "POST": "not_found; anonymous=login; participant=ok; aie,party,secretariat=denied",
    },
    "submit_pdd": {
        "GET": "not_found; anonymous=login; participant,party,secretariat=denied; aie=ok",
        "POST": "not_found; anonymous=login; participant,party,secretariat=denied; aie=ok",
    },
    # --- registry.analytics
    "statistics": {"GET": "ok", "POST": "method"},
    "statistics_csv": {"GET": "ok", "POST": "method"},
    "conversions": {"GET": "ok", "POST": "method"},
    "conversions_party": {"GET": "ok", "POST": "method"},
    "conversions_csv": {"GET": "ok", "POST": "method"},
    # --- registry.api: the public registry (ji-rules §6: published projects are public).
    "api-project-detail": {"GET": "ok", "POST": "method; anonymous=login"},
    "api-project-list": {
        "GET": "ok",
        "POST": "denied; anonymous=login; participant,other_participant=ok",
    },
    # --- registry.calendars
    "calendar": {"GET": "ok", "POST": "method"},
    "project_calendar": {"GET": "ok", "POST": "method"},
    # --- registry.feeds
    "feed_all": {"GET": "ok", "POST": "method"},
    "feed_kind": {"GET": "ok", "POST": "method"},
    "feed_party": {"GET": "ok", "POST": "method"},
    "feed_project": {"GET": "ok", "POST": "method"},
    # --- registry.help: the guides are public (issue 15)
    "help_index": {"GET": "ok", "POST": "method"},
    "help_role": {"GET": "ok", "POST": "method"},
    # --- registry.import_views
    "projects_import": {
        "GET": "denied; anonymous=login; secretariat=ok",
        "POST": "denied; anonymous=login; secretariat=ok",
    },
    # --- registry.opendata
    "opendata": {"GET": "ok", "POST": "method"},
    "opendata_csv": {"GET": "ok", "POST": "method"},
    "opendata_dictionary": {"GET": "ok", "POST": "method"},
    "opendata_json": {"GET": "ok", "POST": "method"},
    # --- registry.record
    "feed_record": {"GET": "ok", "POST": "method"},
    "record": {"GET": "ok", "POST": "method"},
    "record_json": {"GET": "ok", "POST": "method"},
    # --- registry.sections
    "project_list": {"GET": "ok", "POST": "method"},
    "projects_determinations": {"GET": "ok", "POST": "method"},
    "projects_final": {"GET": "ok", "POST": "method"},
    "projects_open": {"GET": "ok", "POST": "method"},
    "registry": {"GET": "ok", "POST": "method"},
    "registry_section": {"GET": "ok", "POST": "method"},
    # --- registry.views
    "dashboard": {"GET": "ok; anonymous=login", "POST": "method; anonymous=login"},
    "health": {"GET": "ok", "POST": "method"},
    "favicon": {"GET": "ok", "POST": "method"},
    # development only: hidden from everyone with DEBUG off (the matrix runs with DEBUG off)
    "dev_mail": {"GET": "not_found", "POST": "not_found"},
    "home": {"GET": "ok", "POST": "method"},
    "monitoring": {"GET": "ok", "POST": "method"},
    "project_detail": {"GET": "ok", "POST": "method"},
    # --- reviews.api: reviews/rules.py: appraisals and working papers for the secretariat and serving members
    # without a conflict (404 to others, ji-rules §6); review requests by a Party involved or
    # JISC members (para 35).
    "api-appraisal-declare": {
        "GET": "method; anonymous=login",
        "POST": "not_found; anonymous=login; expert,jisc=ok; secretariat=denied",
    },
    "api-appraisal-detail": {
        "GET": "not_found; anonymous=login; expert,secretariat,jisc=ok",
        "POST": "method; anonymous=login",
    },
    "api-appraisal-file": {
        "GET": "method; anonymous=login",
        "POST": "not_found; anonymous=login; expert,jisc=ok; secretariat=denied",
    },
    "api-clarification-answer": {
        "GET": "method; anonymous=login",
        "POST": "not_found; anonymous=login; aie=ok; secretariat,jisc=denied",
    },
    "api-meeting-update": {
        "GET": "method; anonymous=login",
        "POST": "denied; anonymous=login; secretariat=ok",
    },
    # a meeting's minutes (reviews.minutes): the secretariat records and publishes them
    **dict.fromkeys(
        ["api-meeting-minutes", "api-meeting-minutes-publish"],
        {"GET": "method; anonymous=login", "POST": "denied; anonymous=login; secretariat=ok"},
    ),
    "api-meetings": {"GET": "ok", "POST": "denied; anonymous=login; secretariat=ok"},
    "api-project-appraisal": {
        "GET": "not_found; anonymous=login; expert,secretariat,jisc=ok",
        "POST": "denied; anonymous=login; secretariat=ok",
    },
    "api-project-appraisal-proposal": {
        "GET": "denied; anonymous=login; secretariat=ok",
        "POST": "method; anonymous=login",
    },
    "api-project-review": {"GET": "ok", "POST": "method"},
    "api-project-review-requests": {
        "GET": "method; anonymous=login",
        "POST": "denied; anonymous=login; party,jisc,jisc_conflicted=ok",
    },
    "api-review-clarifications": {
        "GET": "method; anonymous=login",
        "POST": "denied; anonymous=login; jisc=ok",
    },
    "api-review-corrections": {
        "GET": "method; anonymous=login",
        "POST": "denied; anonymous=login; aie=ok",
    },
    "api-review-corrections-confirm": {
        "GET": "method; anonymous=login",
        "POST": "denied; anonymous=login; secretariat=ok",
    },
    "api-review-decision": {
        "GET": "method; anonymous=login",
        "POST": "denied; anonymous=login; secretariat=ok",
    },
    "api-review-report": {
        "GET": "method; anonymous=login",
        "POST": "denied; anonymous=login; jisc=ok",
    },
    "api-review-team": {
        "GET": "method; anonymous=login",
        "POST": "denied; anonymous=login; secretariat=ok",
    },
    "api-verification-review-requests": {
        "GET": "method; anonymous=login",
        "POST": "denied; anonymous=login; party,jisc,jisc_conflicted=ok",
    },
    # --- reviews.committee: the JISC's roster: the secretariat keeps it.
    "committee": {
        "GET": "denied; anonymous=login; secretariat=ok",
        "POST": "method; anonymous=login",
    },
    "committee_expert": {
        "GET": "denied; anonymous=login; secretariat=ok",
        "POST": "denied; anonymous=login; secretariat=ok",
    },
    "committee_expert#2": {
        "GET": "denied; anonymous=login; secretariat=ok",
        "POST": "denied; anonymous=login; secretariat=ok",
    },
    "committee_member_edit": {
        "GET": "denied; anonymous=login; secretariat=ok",
        "POST": "denied; anonymous=login; secretariat=ok",
    },
    "committee_member_new": {
        "GET": "denied; anonymous=login; secretariat=ok",
        "POST": "denied; anonymous=login; secretariat=ok",
    },
    # --- reviews.views: reviews/rules.py, as HTML pages.
    "appraisal_appoint": {
        "GET": "denied; anonymous=login; secretariat=ok",
        "POST": "denied; anonymous=login; secretariat=ok",
    },
    "appraisal_declare": {
        "GET": "not_found; anonymous=login; expert,jisc=ok; secretariat=denied",
        "POST": "not_found; anonymous=login; expert,jisc=ok; secretariat=denied",
    },
    "appraisal_detail": {
        "GET": "not_found; anonymous=login; expert,secretariat,jisc=ok",
        "POST": "method; anonymous=login",
    },
    "appraisal_file": {
        "GET": "not_found; anonymous=login; expert,jisc=ok; secretariat=denied",
        "POST": "not_found; anonymous=login; expert,jisc=ok; secretariat=denied",
    },
    "appraisal_pdf": {
        "GET": "not_found; anonymous=login; secretariat,jisc=ok",
        "POST": "method; anonymous=login",
    },
    "clarification_detail": {
        "GET": "not_found; anonymous=login; aie,secretariat,jisc=ok",
        "POST": "not_found; anonymous=login; aie=ok; secretariat,jisc=denied",
    },
    "clarification_file": {
        "GET": "not_found; anonymous=login; aie,secretariat,jisc=ok",
        "POST": "method; anonymous=login",
    },
    "clarification_pdf": {
        "GET": "not_found; anonymous=login; aie,secretariat,jisc=ok",
        "POST": "method; anonymous=login",
    },
    "meeting_agenda_pdf": {
        "GET": "not_found; anonymous=login; secretariat,jisc,jisc_conflicted=ok",
        "POST": "method; anonymous=login",
    },
    "meeting_detail": {"GET": "ok", "POST": "method"},
    "meeting_edit": {
        "GET": "denied; anonymous=login; secretariat=ok",
        "POST": "denied; anonymous=login; secretariat=ok",
    },
    # a meeting's minutes (reviews.minutes): the secretariat's pages; the meeting page shows them
    **dict.fromkeys(
        ["meeting_minutes", "meeting_item_new", "meeting_item_edit", "meeting_minutes_publish"],
        {
            "GET": "denied; anonymous=login; secretariat=ok",
            "POST": "denied; anonymous=login; secretariat=ok",
        },
    ),
    "meeting_list": {"GET": "ok", "POST": "method"},
    "meeting_new": {
        "GET": "denied; anonymous=login; secretariat=ok",
        "POST": "denied; anonymous=login; secretariat=ok",
    },
    "request_pdf": {"GET": "ok", "POST": "method"},
    "review_clarify": {
        "GET": "denied; anonymous=login; jisc=ok",
        "POST": "denied; anonymous=login; jisc=ok",
    },
    "review_confirm": {
        "GET": "denied; anonymous=login; secretariat=ok",
        "POST": "denied; anonymous=login; secretariat=ok",
    },
    "review_corrections": {
        "GET": "denied; anonymous=login; aie=ok",
        "POST": "denied; anonymous=login; aie=ok",
    },
    "review_decide": {
        "GET": "denied; anonymous=login; secretariat=ok",
        "POST": "denied; anonymous=login; secretariat=ok",
    },
    "review_detail": {"GET": "ok", "POST": "method"},
    "review_report": {
        "GET": "denied; anonymous=login; jisc=ok",
        "POST": "denied; anonymous=login; jisc=ok",
    },
    "review_report_pdf": {"GET": "not_found", "POST": "method"},
    "review_request": {
        "GET": "denied; anonymous=login; party,jisc,jisc_conflicted=ok",
        "POST": "denied; anonymous=login; party,jisc,jisc_conflicted=ok",
    },
    "review_team": {
        "GET": "denied; anonymous=login; secretariat=ok",
        "POST": "denied; anonymous=login; secretariat=ok",
    },
    "verification_review": {
        "GET": "denied; anonymous=login; party,jisc,jisc_conflicted=ok",
        "POST": "denied; anonymous=login; party,jisc,jisc_conflicted=ok",
    },
    # changes after the determination (projects.changes): the participants request and cancel,
    # the new Party's focal point approves (none among the demo users for the matrix's change),
    # the host's focal point renews the crediting period; the change of AIE for verification
    "participation_change": {
        "GET": "denied; anonymous=login; participant=ok",
        "POST": "denied; anonymous=login; participant=ok",
    },
    "participation_change_cancel": {
        "GET": "denied; anonymous=login; participant=ok",
        "POST": "denied; anonymous=login; participant=ok",
    },
    "participation_change_approve": {
        "GET": "denied; anonymous=login",
        "POST": "denied; anonymous=login",
    },
    "crediting_period_renew": {
        "GET": "denied; anonymous=login; party=ok",
        "POST": "denied; anonymous=login; party=ok",
    },
    "monitoring_change_aie": {
        "GET": "denied; anonymous=login; participant=ok",
        "POST": "denied; anonymous=login; participant=ok",
    },
    "api-project-participation-changes": {
        "GET": "ok",
        "POST": "denied; anonymous=login; participant=ok",
    },
    "api-participation-change-cancel": {
        "GET": "method; anonymous=login",
        "POST": "denied; anonymous=login; participant=ok",
    },
    "api-participation-change-approve": {
        "GET": "method; anonymous=login",
        "POST": "denied; anonymous=login",
    },
    "api-project-crediting-period": {
        "GET": "method; anonymous=login",
        "POST": "denied; anonymous=login; party=ok",
    },
    "api-monitoring-report-change-aie": {
        "GET": "method; anonymous=login",
        "POST": "denied; anonymous=login; participant=ok",
    },
}


def expand(spec: str) -> dict[str, str]:
    """``"denied; anonymous=login; participant,aie=ok"`` → the outcome of every role."""
    default, *rest = (part.strip() for part in spec.split(";"))
    if default not in OUTCOMES:
        raise ValueError(f"unknown outcome {default!r} in {spec!r}")
    row = dict.fromkeys(ROLES, default)
    for part in rest:
        roles, outcome = part.split("=")
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r} in {spec!r}")
        for role in roles.split(","):
            if role not in row:
                raise ValueError(f"unknown role {role!r} in {spec!r}")
            row[role] = outcome
    return row
