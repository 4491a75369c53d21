{#- One row per APPROVED PSA change order with its approval date and month: the dated contract-value events
    the backlog snapshots (kpi_backlog_monthly) and roll-forward (kpi_backlog_rollforward) need to know what
    a contract was worth at any month end. Pending and rejected change orders never change the value, and
    an approved one without an approval date cannot be placed in time, so it is left out (and counted by
    the data test on stg_psa__change_orders, not here). -#}

with change_orders as (
    select * from {{ throughline.psa_input('change_orders') }}
)

select
    change_order_id,
    project_id,
    change_order_number,
    approved_date,
    cast({{ dbt.date_trunc('month', 'approved_date') }} as date) as approved_month,
    cast(amount_change as numeric(18, 2)) as amount_change,
    erp_sales_order_id as erp_amendment_id
from change_orders
where change_order_status = 'approved' and approved_date is not null
