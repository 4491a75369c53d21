-- Expense claims.
with source as (
    select * from {{ source('psa', 'expenses') }}
    where not coalesce(_is_deleted, false)
)

select
    {{ id_str('id') }} as expense_id,
    {{ id_str('resource_id') }} as resource_id,
    {{ id_str('project_id') }} as project_id,
    spent_date,
    {{ label_str('category') }} as expense_category,
    amount,
    {{ code_str(adapter.quote('currency')) }} as currency_code,
    is_billable,
    markup_pct,
    {{ label_str(adapter.quote('status')) }} as expense_status,
    approved_at,
    {{ id_str('erp_invoice_id') }} as erp_invoice_id,
    created_at,
    updated_at as modified_at,
    'psa' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
