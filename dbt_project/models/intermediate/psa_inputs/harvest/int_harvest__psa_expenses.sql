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
    cast(null as double precision) as markup_pct,
    {{ throughline.harvest_status('') }} as expense_status,
    case when {{ throughline.harvest_status('') }} = 'approved' then modified_at end as approved_at,
    cast(null as {{ dbt.type_string() }}) as erp_invoice_id,
    created_at,
    modified_at,
    'harvest' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from {{ ref('stg_harvest__expenses') }}
