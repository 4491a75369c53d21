-- PSA side of the client master.
with source as (
    select * from {{ source('psa', 'clients') }}
    where not coalesce(_is_deleted, false)
)

select
    {{ id_str('id') }} as client_id,
    {{ adapter.quote('name') }} as client_name,
    {{ code_str(adapter.quote('currency')) }} as currency_code,
    {{ code_str('country_code') }} as country_code,
    {{ id_str('registration_number') }} as registration_number,
    {{ id_str('crm_account_id') }} as crm_account_id,
    {{ id_str('erp_customer_id') }} as erp_customer_id,
    is_active,
    created_at,
    updated_at as modified_at,
    'psa' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
