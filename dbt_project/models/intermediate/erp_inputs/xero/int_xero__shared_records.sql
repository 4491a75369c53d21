-- One record of the firm kept in several Xero organisations (helper of the erp_inputs mapping). Each
-- organisation has its own contacts and chart of accounts; when a landing holds several organisations
-- (source_relation), the contacts that share an account number (the firm's own customer reference) and the
-- accounts that share a code are one customer and one account of the canonical ERP, whose id is the smallest
-- of their ids. A record kept in one organisation only is its own canonical record; a one-organisation export
-- merges nothing.
with contacts as (
    select
        'contact' as record_type,
        contact_id as record_id,
        source_relation,
        case when min(source_relation) over (partition by account_number)
                <> max(source_relation) over (partition by account_number)
            then min(contact_id) over (partition by account_number) else contact_id end as canonical_id
    from {{ ref('stg_xero__contacts') }}
    where account_number is not null
),

accounts as (
    select
        'account',
        account_id,
        source_relation,
        case when min(source_relation) over (partition by account_code)
                <> max(source_relation) over (partition by account_code)
            then min(account_id) over (partition by account_code) else account_id end
    from {{ ref('stg_xero__accounts') }}
    where account_code is not null
)

select * from contacts
union all
select * from accounts
