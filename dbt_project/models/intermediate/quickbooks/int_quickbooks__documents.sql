{#- Every QuickBooks document as one transaction header: invoices, credit memos, payments and journal entries.
    QuickBooks numbers each entity on its own, so only invoices keep their id (the one other systems quote);
    the others are prefixed (CM-, PMT-, JE-) to stay unique; an id several companies use is further prefixed
    with the company ('<source_relation>:<id>', as int_quickbooks__keys does for masters). A document on a job
    (a sub-customer) belongs to the job's parent customer, as the client (its canonical key), and is on the
    job's PSA project (int_quickbooks__jobs). exchange_rate is
    the company's home currency per unit of the document currency, 1 for home-currency documents. -#}

with company as (
    select source_relation, home_currency_code from {{ ref('int_quickbooks__company') }}
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

docs as (
    select
        source_relation, invoice_id as transaction_id, invoice_id as source_id, invoice_number as transaction_number,
        'Invoice' as transaction_type_code, 'invoice' as transaction_type, invoice_date as transaction_date,
        created_at, due_date, currency_code, exchange_rate, customer_id, total_amount, tax_amount,
        open_amount, class_id, department_id, modified_at, _source_file, _source_row, _extract_date, _loaded_at
    from {{ ref('stg_quickbooks__invoices') }}
    union all
    select
        source_relation, {{ dbt.concat(["'CM-'", 'credit_memo_id']) }}, credit_memo_id, credit_memo_number,
        'CreditMemo', 'credit_memo', credit_memo_date,
        cast(null as {{ dbt.type_timestamp() }}), cast(null as date), currency_code, exchange_rate, customer_id,
        total_amount, cast(null as {{ dbt.type_numeric() }}),
        remaining_credit, cast(null as {{ dbt.type_string() }}), cast(null as {{ dbt.type_string() }}), modified_at,
        _source_file, _source_row, _extract_date, _loaded_at
    from {{ ref('stg_quickbooks__credit_memos') }}
    union all
    select
        source_relation, {{ dbt.concat(["'PMT-'", 'payment_id']) }}, payment_id, reference_number,
        'Payment', 'payment', payment_date,
        cast(null as {{ dbt.type_timestamp() }}), cast(null as date), currency_code, exchange_rate, customer_id,
        total_amount, cast(null as {{ dbt.type_numeric() }}),
        unapplied_amount, cast(null as {{ dbt.type_string() }}), cast(null as {{ dbt.type_string() }}), modified_at,
        _source_file, _source_row, _extract_date, _loaded_at
    from {{ ref('stg_quickbooks__payments') }}
    union all
    select
        source_relation, {{ dbt.concat(["'JE-'", 'journal_entry_id']) }}, journal_entry_id, journal_number,
        'JournalEntry', 'journal', posting_date,
        cast(null as {{ dbt.type_timestamp() }}), cast(null as date), currency_code, exchange_rate,
        cast(null as {{ dbt.type_string() }}), total_amount, cast(null as {{ dbt.type_numeric() }}),
        cast(null as {{ dbt.type_numeric() }}), cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}), modified_at, _source_file, _source_row, _extract_date, _loaded_at
    from {{ ref('stg_quickbooks__journal_entries') }}
)

select
    d.source_relation,
    case
        when min(d.source_relation) over (partition by d.transaction_id)
            = max(d.source_relation) over (partition by d.transaction_id) then d.transaction_id
        else {{ dbt.concat(['d.source_relation', "':'", 'd.transaction_id']) }}
    end as transaction_id,
    d.source_id,
    d.transaction_number,
    d.transaction_type_code,
    d.transaction_type,
    d.transaction_date,
    d.created_at,
    d.due_date,
    co.home_currency_code,
    coalesce(d.currency_code, co.home_currency_code) as currency_code,
    case
        when coalesce(d.currency_code, co.home_currency_code) = co.home_currency_code then 1.0
        when d.exchange_rate > 0 then d.exchange_rate
    end as exchange_rate,
    coalesce(ck.record_key, d.customer_id) as customer_id,
    j.psa_project_id,
    cast(d.total_amount as decimal(18, 2)) as total_amount,
    cast(d.tax_amount as decimal(18, 2)) as tax_amount,
    cast(d.open_amount as decimal(18, 2)) as open_amount,
    d.class_id,
    d.department_id,
    d.modified_at,
    d._source_file,
    d._source_row,
    d._extract_date,
    d._loaded_at
from docs as d
inner join company as co on d.source_relation = co.source_relation
left join customers as cu on d.source_relation = cu.source_relation and d.customer_id = cu.customer_id
left join jobs as j on d.source_relation = j.source_relation and d.customer_id = j.customer_id
left join customer_keys as ck
    on d.source_relation = ck.source_relation
    and ck.source_id = case
        when cu.is_job and cu.parent_customer_id is not null then cu.parent_customer_id else d.customer_id
    end
