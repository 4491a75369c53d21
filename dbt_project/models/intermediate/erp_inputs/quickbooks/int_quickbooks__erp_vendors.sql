-- QuickBooks vendors as canonical vendors (the columns of stg_netsuite__vendors), keyed by int_quickbooks__keys,
-- each in its company's subsidiary; a vendor named '<var quickbooks_intercompany_prefix><entity code>' of another
-- company of the sync is intercompany (as customers, int_quickbooks__erp_customers).
with companies as (
    select source_relation, subsidiary_id, legal_entity_code from {{ ref('int_quickbooks__company') }}
)

select
    k.record_key as vendor_id,
    v.vendor_name,
    v.company_name,
    co.subsidiary_id,
    v.currency_code as currency_id,
    ic.subsidiary_id as representing_subsidiary_id,
    ic.subsidiary_id is not null as is_intercompany,
    not coalesce(v.is_active, true) as is_inactive,
    v.modified_at,
    'quickbooks' as source_system,
    v._source_file,
    v._source_row,
    v._loaded_at
from {{ ref('stg_quickbooks__vendors') }} as v
inner join {{ ref('int_quickbooks__keys') }} as k
    on k.entity = 'vendor' and v.source_relation = k.source_relation and v.vendor_id = k.source_id
    and k.is_primary
inner join companies as co on v.source_relation = co.source_relation
left join companies as ic
    on ic.source_relation <> v.source_relation
    and upper(trim(v.vendor_name)) = upper({{ dbt.concat(["'" ~ var('quickbooks_intercompany_prefix', 'IC ') ~ "'", 'ic.legal_entity_code']) }})
