{#- Unapplied customer payments and credit memos at every month end (ar v1), kept apart from the invoice
    open items. -#}
{{ ar_unapplied_cash(ar_month_ends()) }}
