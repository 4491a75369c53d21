-- Xero contacts (customers and suppliers).
with source as (
    select * from {{ source('xero', 'contact') }}
    where not coalesce(_is_deleted, false)
)

select
    {{ id_str('contact_id') }} as contact_id,
    {{ adapter.quote('name') }} as contact_name,
    first_name,
    last_name,
    {{ label_str('email_address') }} as email,
    {{ id_str('account_number') }} as account_number,
    {{ id_str('tax_number') }} as tax_number,
    {{ code_str('contact_status') }} as contact_status,
    is_customer,
    is_supplier,
    {{ code_str('default_currency') }} as default_currency_code,
    coalesce(updated_date_utc, _fivetran_synced) as modified_at,
    coalesce(source_relation, 'xero') as source_relation,
    'xero' as source_system,
    _source_file,
    _source_row,
    _extract_date,
    _loaded_at
from source
