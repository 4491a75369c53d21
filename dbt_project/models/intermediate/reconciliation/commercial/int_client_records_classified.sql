{#- Client master (checks R4 and CLIENT): every ERP customer (intercompany customers excluded, as in
    int_client_records) and every PSA client, with where the client crosswalk placed it. A record whose
    conformed client holds no CRM account and no record of the third system stands alone; it is a
    DUPLICATE when the crosswalk sent it to review against a record whose client already holds another
    record of the same system (that record is `duplicate_of`: the company's master), and an ORPHAN
    otherwise. -#}

with records as (
    select * from {{ ref('int_client_records') }}
),

clients as (
    select * from {{ ref('int_clients_matched') }}
),

-- each record of every system with its conformed client
placed as (
    select client_key, 'crm' as source_system, crm_account_id as record_id from clients
    where crm_account_id is not null
    union all
    select client_key, 'erp', erp_customer_id from clients where erp_customer_id is not null
    union all
    select client_key, 'psa', psa_client_id from clients where psa_client_id is not null
),

review_sides as (
    select left_system as source_system, left_id as record_id, right_system as other_system,
        right_id as other_id
    from {{ ref('int_client_match_review') }}
    union all
    select right_system, right_id, left_system, left_id
    from {{ ref('int_client_match_review') }}
),

-- the other record of the same system held by the client the record was reviewed against
masters as (
    select
        s.source_system,
        s.record_id,
        min(sibling.record_id) as duplicate_of_record_id
    from review_sides as s
    inner join placed as other on other.source_system = s.other_system and other.record_id = s.other_id
    inner join placed as sibling
        on sibling.client_key = other.client_key
        and sibling.source_system = s.source_system
        and sibling.record_id <> s.record_id
    group by s.source_system, s.record_id
),

created as (
    select 'erp' as source_system, customer_id as record_id, created_at, modified_at
    from {{ throughline.erp_input('customers') }}
    union all
    select 'psa', client_id, created_at, modified_at from {{ throughline.psa_input('clients') }}
),

classified as (
    select
        r.source_system,
        r.record_id,
        r.record_name,
        p.client_key,
        c.crm_account_id,
        c.erp_customer_id,
        c.psa_client_id,
        c.systems_matched,
        c.crm_account_id is null
            and (case when r.source_system = 'erp' then c.psa_client_id else c.erp_customer_id end) is null
            as is_standalone,
        m.duplicate_of_record_id,
        cr.created_at,
        cr.modified_at
    from records as r
    inner join placed as p on p.source_system = r.source_system and p.record_id = r.record_id
    inner join clients as c on c.client_key = p.client_key
    left join masters as m on m.source_system = r.source_system and m.record_id = r.record_id
    left join created as cr on cr.source_system = r.source_system and cr.record_id = r.record_id
    where r.source_system in ('erp', 'psa')
)

select
    source_system,
    record_id,
    record_name,
    client_key,
    crm_account_id,
    erp_customer_id,
    psa_client_id,
    systems_matched,
    is_standalone,
    case when is_standalone then duplicate_of_record_id end as duplicate_of_record_id,
    is_standalone and duplicate_of_record_id is not null as is_duplicate,
    is_standalone and duplicate_of_record_id is null as is_orphan,
    created_at,
    modified_at
from classified
