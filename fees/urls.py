from django.urls import path

from . import report, views

urlpatterns = [
    path("fees/", views.fees_home, name="fees_home"),
    path("fees/calculator/", views.calculator_page, name="fees_calculator"),
    path("fees/revenue/", report.revenue, name="fees_revenue"),
    path("fees/owed/", views.owed_mine, name="fees_owed"),
    path("fees/owed/<int:pk>/", views.owed_organisation, name="fees_owed_organisation"),
    path("fees/invoices/<str:number>/", views.invoice_detail, name="invoice_detail"),
    path("fees/invoices/<str:number>/pay/", views.invoice_payment, name="invoice_payment"),
    path("fees/invoices/<str:number>/credit/", views.invoice_credit, name="invoice_credit"),
    path("fees/invoices/<str:number>/pdf/", views.invoice_pdf, name="invoice_pdf"),
    path("fees/credit-notes/<str:number>/pdf/", views.credit_note_pdf, name="credit_note_pdf"),
    path(
        "fees/reimbursements/<int:pk>/paid/",
        views.reimbursement_paid,
        name="reimbursement_paid",
    ),
    path("projects/<str:key>/fee/", views.project_fees, name="fee_detail"),
    path("projects/<str:key>/fee/payment/", views.project_fee_payment, name="fee_payment"),
]
