{#- Accepted estimates as contracts (canonical sales orders): an estimate whose transaction_status is Accepted, or
    Closed (QuickBooks closes an accepted estimate once it is invoiced), is the firm's contract, as a NetSuite
    sales order is; Pending and Rejected estimates are quotes, not contracts. What makes it join:
    - the customer is the job (sub-customer) of the project it is for: the PSA project is the job's
      (int_quickbooks__jobs) and the client the job's parent customer, as on documents;
    - custom fields: custom_crm_opportunity_id (the CRM deal), custom_contract_type, custom_not_to_exceed;
    - dates: the earliest line service date is the contract start, the expiration date its end;
    - amendments: QuickBooks has no parent link, so a later contract estimate on the same job amends the
      job's first one (by date, then id).
    The estimate keeps its id (the one the CRM and PSA quote, as invoices do); an id an invoice of the same
    company also uses is prefixed EST-, and an id several companies use '<source_relation>:'. Status as the
    canonical sales order has it (decode_netsuite_transaction_status of a running B / closed C order). -#}

with estimates as (
    select * from {{ ref('stg_quickbooks__estimates') }}
    where estimate_status in ('Accepted', 'Closed')
),

company as (
    select source_relation, subsidiary_id, home_currency_code from {{ ref('int_quickbooks__company') }}
),

customers as (
    select source_relation, customer_id, parent_customer_id, is_job from {{ ref('stg_quickbooks__customers') }}
),

jobs as (
    select source_relation, customer_id, psa_project_id from {{ ref('int_quickbooks__jobs') }}
),

customer_keys as (
    select source_relation, source_id, record_key from {{ ref('int_quickbooks__keys') }} where entity = 'customer'
),

invoices as (
    select source_relation, invoice_id from {{ ref('stg_quickbooks__invoices') }}
),

line_dates as (
    select source_relation, estimate_id, min(service_date) as start_date
    from {{ ref('stg_quickbooks__estimate_lines') }}
    group by source_relation, estimate_id
),

resolved as (
    select
        e.*,
        case when i.invoice_id is not null then {{ dbt.concat(["'EST-'", 'e.estimate_id']) }} else e.estimate_id end
            as local_id,
        case when cu.is_job and cu.parent_customer_id is not null then e.customer_id end as job_id,
        coalesce(ck.record_key, e.customer_id) as customer_key,
        j.psa_project_id,
        ld.start_date,
        co.subsidiary_id,
        co.home_currency_code
    from estimates as e
    inner join company as co on e.source_relation = co.source_relation
    left join invoices as i on e.source_relation = i.source_relation and e.estimate_id = i.invoice_id
    left join customers as cu on e.source_relation = cu.source_relation and e.customer_id = cu.customer_id
    left join jobs as j on e.source_relation = j.source_relation and e.customer_id = j.customer_id
    left join customer_keys as ck
        on e.source_relation = ck.source_relation
        and ck.source_id = case
            when cu.is_job and cu.parent_customer_id is not null then cu.parent_customer_id else e.customer_id
        end
    left join line_dates as ld on e.source_relation = ld.source_relation and e.estimate_id = ld.estimate_id
),

keyed as (
    select
        r.*,
        case
            when min(r.source_relation) over (partition by r.local_id)
                = max(r.source_relation) over (partition by r.local_id) then r.local_id
            else {{ dbt.concat(['r.source_relation', "':'", 'r.local_id']) }}
        end as transaction_id
    from resolved as r
),

ordered as (
    select
        k.*,
        row_number() over (
            partition by k.source_relation, k.job_id order by k.estimate_date, k.created_at, k.estimate_id
        ) as job_rank,
        first_value(k.transaction_id) over (
            partition by k.source_relation, k.job_id order by k.estimate_date, k.created_at, k.estimate_id
            rows between unbounded preceding and unbounded following
        ) as first_on_job
    from keyed as k
)

select
    source_relation,
    transaction_id,
    estimate_id as source_id,
    estimate_number as transaction_number,
    estimate_date as transaction_date,
    created_at,
    case when estimate_status = 'Closed' then 'closed' else 'paid_in_full' end as status,
    estimate_status as status_code,
    coalesce(currency_code, home_currency_code) as currency_code,
    case
        when coalesce(currency_code, home_currency_code) = home_currency_code then 1.0
        when exchange_rate > 0 then exchange_rate
    end as exchange_rate,
    customer_key as customer_id,
    subsidiary_id,
    department_id,
    class_id,
    psa_project_id,
    cast(total_amount as decimal(18, 2)) as total_amount,
    cast(tax_amount as decimal(18, 2)) as tax_amount,
    memo,
    start_date as contract_start_date,
    expiration_date as contract_end_date,
    contract_type_code,
    contract_type,
    cast(nte_amount as decimal(18, 2)) as nte_amount,
    case when job_id is not null and job_rank > 1 then first_on_job end as parent_contract_transaction_id,
    crm_opportunity_id,
    modified_at,
    _source_file,
    _source_row,
    _extract_date,
    _loaded_at
from ordered
