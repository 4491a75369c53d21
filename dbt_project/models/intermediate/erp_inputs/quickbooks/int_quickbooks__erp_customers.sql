-- QuickBooks customers as the canonical ERP customers (the columns of stg_netsuite__customers), keyed by
-- int_quickbooks__keys (a client in several companies is one customer, in its home company's subsidiary).
-- QuickBooks has no intercompany flag: a customer named
-- '<var quickbooks_intercompany_prefix><entity code>' (IC UK01) of another company of the sync represents that
-- company (is_intercompany, representing_subsidiary_id). QuickBooks has no CRM / PSA ids, country or terms on
-- the customer (null). Jobs (sub-customers with job = true) are projects, not clients: left out here; their
-- documents count for the parent (int_quickbooks__documents) and are on the job's PSA project.
with companies as (
    select source_relation, subsidiary_id, legal_entity_code from {{ ref('int_quickbooks__company') }}
),

keys as (
    select * from {{ ref('int_quickbooks__keys') }} where entity = 'customer'
)

select
    k.record_key as customer_id,
    c.customer_name as customer_number,
    coalesce(c.company_name, c.customer_name) as company_name,
    c.customer_name as alt_name,
    c.email,
    c.currency_code as currency_id,
    co.subsidiary_id,
    coalesce(p.record_key, c.parent_customer_id) as parent_customer_id,
    cast(null as {{ dbt.type_bigint() }}) as payment_terms_days,
    c.registration_number,
    cast(null as {{ dbt.type_string() }}) as country_code,
    cast(null as {{ dbt.type_string() }}) as crm_account_id,
    cast(null as {{ dbt.type_string() }}) as psa_client_id,
    cast(null as {{ dbt.type_string() }}) as external_id,
    ic.subsidiary_id as representing_subsidiary_id,
    ic.subsidiary_id is not null as is_intercompany,
    false as is_person,
    not coalesce(c.is_active, true) as is_inactive,
    c.created_at,
    c.modified_at,
    'quickbooks' as source_system,
    c._source_file,
    c._source_row,
    c._loaded_at
from {{ ref('stg_quickbooks__customers') }} as c
inner join keys as k
    on c.source_relation = k.source_relation and c.customer_id = k.source_id and k.is_primary
inner join companies as co on c.source_relation = co.source_relation
left join keys as p on c.source_relation = p.source_relation and c.parent_customer_id = p.source_id
left join companies as ic
    on ic.source_relation <> c.source_relation
    and upper(trim(c.customer_name)) = upper({{ dbt.concat(["'" ~ var('quickbooks_intercompany_prefix', 'IC ') ~ "'", 'ic.legal_entity_code']) }})
where not c.is_job
