-- Transaction lines; amount_transaction is in the transaction currency, amount_functional in the subsidiary's.
with source as (
    select * from {{ source('netsuite', 'transactionline') }}
    where not coalesce(_is_deleted, false)
)

select
    {{ composite_key([adapter.quote('transaction'), 'id']) }} as transaction_line_id,
    {{ id_str(adapter.quote('transaction')) }} as transaction_id,
    id as line_id,
    linesequencenumber as line_sequence_number,
    mainline as is_main_line,
    taxline as is_tax_line,
    {{ id_str(adapter.quote('item')) }} as item_id,
    quantity,
    rate as unit_rate,
    foreignamount as amount_transaction,
    netamount as amount_functional,
    memo,
    {{ id_str('subsidiary') }} as subsidiary_id,
    {{ id_str('department') }} as department_id,
    {{ id_str(adapter.quote('class')) }} as class_id,
    {{ id_str(adapter.quote('entity')) }} as entity_id,
    isbillable as is_billable,
    {{ id_str('createdfrom') }} as created_from_transaction_id,
    {{ id_str('custcol_psa_project_id') }} as psa_project_id,
    {{ id_str('custcol_psa_role_id') }} as psa_role_id,
    {{ id_str('custcol_psa_milestone_id') }} as psa_milestone_id,
    custcol_period_start as service_period_start,
    custcol_period_end as service_period_end,
    linelastmodifieddate as modified_at,
    'netsuite' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
