{{ config(
    materialized=throughline.incremental_materialization(),
    unique_key='as_of_date',
    incremental_strategy='delete+insert',
    on_schema_change='append_new_columns'
) }}
{#- AR open items at every month end (as_of_date x invoice), rebuilt from invoice, payment-application and
    credit-memo history (ar v1). Incremental: new month ends are appended and the latest
    var('ar_restate_month_ends') month ends already present are recomputed (late applications). -#}
{%- if is_incremental() %}
    {%- set since = "(select " ~ dbt.dateadd('month', -1 * (var('ar_restate_month_ends') | int),
        'max(as_of_date)') ~ " from " ~ this ~ ")" %}
{%- else %}
    {%- set since = none %}
{%- endif %}
{{ ar_open_items(ar_month_ends(since)) }}
