-- Xero credit notes: to customers (ACCRECCREDIT) and from suppliers (ACCPAYCREDIT).
with source as (
    select * from {{ source('xero', 'credit_note') }}
    where not coalesce(_is_deleted, false)
)

select
    {{ id_str('credit_note_id') }} as credit_note_id,
    {{ id_str('contact_id') }} as contact_id,
    {{ id_str('credit_note_number') }} as credit_note_number,
    reference,
    {{ code_str(adapter.quote('type')) }} as credit_note_type,
    {{ code_str('status') }} as status,
    {{ adapter.quote('date') }} as credit_note_date,
    fully_paid_on_date,
    {{ code_str('currency_code') }} as currency_code,
    cast(coalesce(currency_rate, 1) as {{ throughline.rate_type() }}) as currency_rate,
    line_amount_types,
    coalesce(sub_total, 0) as sub_total,
    coalesce(total_tax, 0) as total_tax,
    coalesce(total, 0) as total,
    remaining_credit,
    coalesce(updated_date_utc, _fivetran_synced) as modified_at,
    coalesce(source_relation, 'xero') as source_relation,
    'xero' as source_system,
    _source_file,
    _source_row,
    _extract_date,
    _loaded_at
from source
