-- Harvest expenses as canonical PSA expenses: approved when closed, billed or locked; re-billed at cost.
select
    expense_id,
    user_id as resource_id,
    project_id,
    spent_date,
    expense_category,
    amount,
    currency_code,
    is_billable,
    cast(null as {{ dbt.type_float() }}) as markup_pct,
    case when is_closed or is_billed or is_locked then 'approved' else 'submitted' end as expense_status,
    case when is_closed or is_billed or is_locked then modified_at end as approved_at,
    cast(null as {{ dbt.type_string() }}) as erp_invoice_id,
    created_at,
    modified_at,
    'harvest' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from {{ ref('stg_harvest__expenses') }}
