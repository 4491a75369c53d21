{#- AR open items (ar v1) as of one arbitrary date: var ar_as_of_date (YYYY-MM-DD), else the latest
    NetSuite document date. `dbt build -s int_ar_open_items_as_of --vars '{ar_as_of_date: 2026-09-15}'`. -#}
{{ ar_open_items("select " ~ finance_as_of_date('ar_as_of_date',
    "select max(transaction_date) from " ~ throughline.erp_input('transactions')) ~ " as as_of_date") }}
