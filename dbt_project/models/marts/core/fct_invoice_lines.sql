{{ config(
    materialized=throughline.incremental_materialization(),
    unique_key='invoice_line_id',
    incremental_strategy='delete+insert',
    on_schema_change='append_new_columns',
    post_hook="{{ delete_vanished_rows('invoice_line_id', throughline.erp_input('transaction_lines'), 'transaction_line_id') }}"
) }}
{#- Invoice and credit memo lines (every non-header line, tax lines flagged) in transaction, entity
    (functional, as NetSuite booked it) and reporting currency (spot rate on the document date).
    amount_* are as landed: positive on invoices AND credit memos (Σ amount_* = gross billings + credits);
    net_amount_* = billing_sign (+1 invoice, -1 credit memo) x amount_* (Σ = net billings). docs/model/billing.md.
    Conformed keys: client from the ERP customer (else the PSA project's client) via int_clients_matched,
    contract from int_deals_matched (else the sales order the line was created from); '-1' unresolved. -#}

{#- What a line takes from its entity (e), class (sl), customer (ce, ic), PSA project (p, cp, dl) and the order
    it was created from (so): written once, for the select and for the incremental night's comparison with what the
    target holds (macro changed_lookups). -#}
{%- set from_lookups = {
    'client_key': "coalesce(ce.client_key, cp.client_key, '-1')",
    'project_key': "case when p.project_id is not null then p.project_id else '-1' end",
    'contract_key': "coalesce(dl.erp_sales_order_id, so.transaction_id, '-1')",
    'legal_entity_key': "coalesce(e.legal_entity_key, '-1')",
    'service_line_key': "coalesce(sl.service_line_key, '-1')",
    'is_intercompany': 'ic.customer_id is not null',
    'entity_currency_code': "coalesce(e.functional_currency_code, '-1')",
} %}
{%- set lookup_joins -%}
    left join entities as e on t.erp_subsidiary_id = e.erp_subsidiary_id
    left join service_lines as sl on t.erp_class_id = sl.erp_class_id
    left join projects as p on t.psa_project_id = p.project_id
    left join clients_by_erp as ce on t.erp_customer_id = ce.erp_customer_id
    left join intercompany_customers as ic on t.erp_customer_id = ic.customer_id
    left join clients_by_psa as cp on p.client_id = cp.psa_client_id
    left join deals_by_project as dl on p.project_id = dl.psa_project_id
    left join sales_orders as so on t.created_from_transaction_id = so.transaction_id
{%- endset %}

with headers as (
    select * from {{ throughline.erp_input('transactions') }}
    where transaction_type in ('invoice', 'credit_memo')
),

lines as (
    select l.*
    from {{ throughline.erp_input('transaction_lines') }} as l
    where not coalesce(l.is_main_line, false)
),

entities as (
    select * from {{ ref('dim_legal_entity') }} where not is_unknown
),

currencies as (
    select currency_id, currency_code from {{ throughline.erp_input('currencies') }}
),

intercompany_customers as (
    select customer_id from {{ throughline.erp_input('customers') }} where is_intercompany
),

clients_by_erp as (
    select erp_customer_id, client_key from {{ ref('int_clients_matched') }} where erp_customer_id is not null
),

clients_by_psa as (
    select psa_client_id, client_key from {{ ref('int_clients_matched') }} where psa_client_id is not null
),

projects as (
    select project_id, client_id from {{ throughline.psa_input('projects') }}
),

deals_by_project as (
    select psa_project_id, erp_sales_order_id from {{ ref('int_deals_matched') }}
    where psa_project_id is not null and erp_sales_order_id is not null
),

sales_orders as (
    select transaction_id from {{ throughline.erp_input('transactions') }} where transaction_type = 'sales_order'
),

service_lines as (
    select service_line_key, erp_class_id from {{ ref('dim_service_line') }} where erp_class_id is not null
),

joined as (
    select
        l.transaction_line_id as invoice_line_id,
        h.transaction_id,
        l.line_id,
        {{ from_lookups.client_key }} as client_key,
        {{ from_lookups.project_key }} as project_key,
        {{ from_lookups.contract_key }} as contract_key,
        h.transaction_number,
        h.transaction_type,
        h.transaction_date,
        h.due_date,
        h.accounting_period_id as erp_accounting_period_id,
        h.status as transaction_status,
        coalesce(h.is_voided, false) as is_voided,
        h.credit_reason_code,
        l.created_from_transaction_id,
        {{ from_lookups.legal_entity_key }} as legal_entity_key,
        l.subsidiary_id as erp_subsidiary_id,
        h.entity_id as erp_customer_id,
        {{ from_lookups.is_intercompany }} as is_intercompany,
        l.entity_id as erp_line_entity_id,
        coalesce(l.psa_project_id, h.psa_project_id) as psa_project_id,
        l.psa_milestone_id,
        l.psa_role_id,
        l.item_id as erp_item_id,
        {{ from_lookups.service_line_key }} as service_line_key,
        l.class_id as erp_class_id,
        l.department_id as erp_department_id,
        coalesce(l.is_tax_line, false) as is_tax_line,
        coalesce(l.is_billable, false) as is_billable,
        l.quantity,
        l.unit_rate,
        l.service_period_start,
        l.service_period_end,
        coalesce(c.currency_code, '-1') as transaction_currency_code,
        l.amount_transaction,
        {{ from_lookups.entity_currency_code }} as entity_currency_code,
        cast(coalesce(l.amount_functional, {{ throughline.round_double('l.amount_transaction * h.exchange_rate') }}) as numeric(18, 2))
            as amount_entity,
        case when l.amount_functional is not null then 'erp_booked' else 'erp_header_rate' end
            as entity_amount_basis,
        {{ reporting_currency_literal() }} as reporting_currency_code,
        {{ fx_rate_to_reporting('fx_r', 'c.currency_code') }} as fx_rate_to_reporting,
        'spot' as fx_rate_type,
        case when l._loaded_at > h._loaded_at then l._loaded_at else h._loaded_at end as _loaded_at
    from lines as l
    inner join headers as h on l.transaction_id = h.transaction_id
    left join entities as e on l.subsidiary_id = e.erp_subsidiary_id
    left join currencies as c on h.currency_id = c.currency_id
    left join service_lines as sl on l.class_id = sl.erp_class_id
    left join projects as p on coalesce(l.psa_project_id, h.psa_project_id) = p.project_id
    left join clients_by_erp as ce on h.entity_id = ce.erp_customer_id
    left join intercompany_customers as ic on h.entity_id = ic.customer_id
    left join clients_by_psa as cp on p.client_id = cp.psa_client_id
    left join deals_by_project as dl on p.project_id = dl.psa_project_id
    left join sales_orders as so on l.created_from_transaction_id = so.transaction_id
    {{ join_spot_rate_to_reporting('fx_r', 'c.currency_code', 'h.transaction_date') }}
)

select
    joined.*,
    amount_transaction * fx_rate_to_reporting as amount_reporting,
    fx_rate_to_reporting is null as is_fx_rate_missing,
    {#- amounts land positive on invoices AND credit memos: the signed columns make sums give net billings -#}
    cast({{ billing_sign('transaction_type') }} as integer) as billing_sign,
    cast({{ billing_sign('transaction_type') }} * amount_transaction as numeric(18, 2)) as net_amount_transaction,
    cast({{ billing_sign('transaction_type') }} * amount_entity as numeric(18, 2)) as net_amount_entity,
    cast({{ throughline.round_double(billing_sign('transaction_type') ~ ' * amount_transaction * fx_rate_to_reporting') }}
        as numeric(18, 2)) as net_amount_reporting,
    {{ throughline.build_stamp() }} as _built_at
from joined
where {{ incremental_lookback('joined._loaded_at', reread=[
    changed_lookups({
        'erp_subsidiary_id': 'joined.erp_subsidiary_id', 'erp_class_id': 'joined.erp_class_id',
        'psa_project_id': 'joined.psa_project_id',
        'erp_customer_id': 'joined.erp_customer_id',
        'created_from_transaction_id': 'joined.created_from_transaction_id',
    }, from_lookups, lookup_joins),
    changed_lookups({'transaction_date': 'joined.transaction_date'},
        {'fx_rate_to_reporting': fx_rate_to_reporting('fx_r', 't.transaction_currency_code')},
        join_spot_rate_to_reporting('fx_r', 't.transaction_currency_code', 't.transaction_date'),
        inputs=['transaction_currency_code']),
]) }}
