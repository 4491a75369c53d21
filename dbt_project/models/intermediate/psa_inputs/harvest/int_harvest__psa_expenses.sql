-- Harvest expenses as canonical PSA expenses: approved when closed, billed or locked; re-billed at cost; the ERP
-- invoice is the one the expense's Harvest invoice became (int_harvest__erp_invoice_links).
select
    x.expense_id,
    x.user_id as resource_id,
    x.project_id,
    x.spent_date,
    x.expense_category,
    x.amount,
    x.currency_code,
    x.is_billable,
    cast(null as {{ throughline.ratio_type() }}) as markup_pct,
    {{ throughline.harvest_status('x') }} as expense_status,
    case when {{ throughline.harvest_status('x') }} = 'approved' then x.modified_at end as approved_at,
    l.erp_invoice_id,
    x.created_at,
    x.modified_at,
    'harvest' as source_system,
    x._source_file,
    x._source_row,
    x._loaded_at
from {{ ref('stg_harvest__expenses') }} as x
left join {{ ref('int_harvest__erp_invoice_links') }} as l on l.harvest_invoice_id = x.harvest_invoice_id
