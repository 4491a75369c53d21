{{ config(
    materialized=throughline.incremental_materialization(),
    unique_key='gl_line_id',
    incremental_strategy='delete+insert',
    on_schema_change='append_new_columns',
    post_hook="{{ delete_vanished_rows('gl_line_id', throughline.erp_input('transaction_accounting_lines'), 'transaction_accounting_line_id') }}"
) }}
{#- General-ledger impact: one row per transaction accounting line (every accounting book), signed debit
    positive in the entity's functional currency as NetSuite booked it. Reporting currency twice: at the
    spot rate of the transaction date, and at the period rate IAS 21 translation uses for the account
    (average for income-statement accounts, closing for balance-sheet accounts; NetSuite's general rate
    type wins when set: AVERAGE -> average, CURRENT -> closing, HISTORICAL -> spot). client_key is the
    conformed client when the line's entity is a customer in int_clients_matched, else '-1'; project_key the
    PSA project on the line (else the header) when it exists in PSA, else '-1'. -#}

{#- What a line takes from its account (a), entity (e), class (sl), customer (cl) and PSA project (pr): written
    once, for the select and for the incremental night's comparison with what the target holds (macro changed_lookups). -#}
{%- set from_lookups = {
    'account_number': 'a.account_number',
    'account_name': 'a.account_name',
    'account_type': 'a.account_type',
    'general_rate_type': 'a.general_rate_type',
    'legal_entity_key': "coalesce(e.legal_entity_key, '-1')",
    'service_line_key': "coalesce(sl.service_line_key, '-1')",
    'entity_currency_code': "coalesce(e.functional_currency_code, '-1')",
    'client_key': "coalesce(cl.client_key, '-1')",
    'project_key': "coalesce(pr.psa_project_id, '-1')",
} %}
{%- set lookup_joins -%}
    left join accounts as a on t.erp_account_id = a.account_id
    left join entities as e on t.erp_subsidiary_id = e.erp_subsidiary_id
    left join service_lines as sl on t.erp_class_id = sl.erp_class_id
    left join clients_by_erp as cl on t.erp_entity_id = cl.erp_customer_id
    left join projects as pr on t.erp_psa_project_id = pr.psa_project_id
{%- endset %}
{#- The period rate a line holds, recomputed from its rate type: 'spot' lines hold the spot rate, compared apart. -#}
{%- set period_rate -%}
    case t.period_rate_type
        when 'average' then {{ fx_rate_to_reporting('fx_p', 't.entity_currency_code', 'average_rate') }}
        when 'closing' then {{ fx_rate_to_reporting('fx_p', 't.entity_currency_code', 'closing_rate') }}
        else t.period_rate_to_reporting
    end
{%- endset %}

with accounting_lines as (
    select * from {{ throughline.erp_input('transaction_accounting_lines') }}
),

headers as (
    select * from {{ throughline.erp_input('transactions') }}
),

lines as (
    select transaction_line_id, subsidiary_id, class_id, department_id, entity_id, psa_project_id, _loaded_at
    from {{ throughline.erp_input('transaction_lines') }}
),

accounts as (
    select * from {{ throughline.erp_input('accounts') }}
),

entities as (
    select * from {{ ref('dim_legal_entity') }} where not is_unknown
),

currencies as (
    select currency_id, currency_code from {{ throughline.erp_input('currencies') }}
),

clients_by_erp as (
    select erp_customer_id, client_key from {{ ref('int_clients_matched') }} where erp_customer_id is not null
),

projects as (
    select psa_project_id from {{ ref('int_psa_project_context') }}
),

service_lines as (
    select service_line_key, erp_class_id from {{ ref('dim_service_line') }} where erp_class_id is not null
),

source_lines as (
    {#- the lines tonight re-reads are chosen on the three NetSuite tables a line is read from (every condition
        reads only their columns), so the lookups below join those lines, not every line of the history -#}
    select
        al.transaction_accounting_line_id,
        al.transaction_id,
        al.line_id,
        al.accounting_book_id,
        al.is_posting,
        al.debit_amount,
        al.credit_amount,
        al.amount_functional,
        al.exchange_rate,
        al.amount_unpaid,
        h.transaction_number,
        h.transaction_type,
        h.transaction_date,
        cast({{ dbt.date_trunc('month', 'h.transaction_date') }} as date) as period_start,
        h.accounting_period_id,
        h.is_posting as header_is_posting,
        h.currency_id,
        al.account_id as erp_account_id,
        l.subsidiary_id as erp_subsidiary_id,
        l.class_id as erp_class_id,
        l.department_id as erp_department_id,
        coalesce(l.entity_id, h.entity_id) as erp_entity_id,
        coalesce(l.psa_project_id, h.psa_project_id) as erp_psa_project_id,
        greatest(al._loaded_at, h._loaded_at) as read_loaded_at
    from accounting_lines as al
    inner join headers as h on al.transaction_id = h.transaction_id
    left join lines as l on al.transaction_line_id = l.transaction_line_id
),

filtered as (
    select * from source_lines as b
    {#- re-read: the lines loaded in the lookback, and those whose account, entity, customer, PSA project, spot
        rate or period rate has changed since they were built (a period's average and closing rates move until
        its daily rates are all in) #}
    where {{ incremental_lookback('b.read_loaded_at', reread=[
        changed_lookups({
            'erp_account_id': 'b.erp_account_id', 'erp_subsidiary_id': 'b.erp_subsidiary_id',
            'erp_class_id': 'b.erp_class_id',
            'erp_entity_id': 'b.erp_entity_id', 'erp_psa_project_id': 'b.erp_psa_project_id',
        }, from_lookups, lookup_joins),
        changed_lookups({'transaction_date': 'b.transaction_date'},
            {'spot_rate_to_reporting': fx_rate_to_reporting('fx_s', 't.entity_currency_code')},
            join_spot_rate_to_reporting('fx_s', 't.entity_currency_code', 't.transaction_date'),
            inputs=['entity_currency_code']),
        changed_lookups({'period_start': 'b.period_start'}, {'period_rate_to_reporting': period_rate},
            join_periodic_rate('fx_p', 't.entity_currency_code', reporting_currency_literal(), 't.period_start'),
            inputs=['entity_currency_code', 'period_rate_type']),
    ]) }}
),

base as (
    select
        al.transaction_accounting_line_id as gl_line_id,
        al.transaction_id,
        al.line_id,
        al.accounting_book_id,
        al.transaction_number,
        al.transaction_type,
        al.transaction_date,
        al.period_start,
        al.accounting_period_id as erp_accounting_period_id,
        al.erp_account_id,
        {{ from_lookups.account_number }} as account_number,
        {{ from_lookups.account_name }} as account_name,
        {{ from_lookups.account_type }} as account_type,
        {{ from_lookups.general_rate_type }} as general_rate_type,
        coalesce(a.account_type in ('income', 'other_income', 'cost_of_goods_sold', 'expense', 'other_expense'),
            false) as is_income_statement,
        {{ from_lookups.legal_entity_key }} as legal_entity_key,
        al.erp_subsidiary_id,
        {{ from_lookups.service_line_key }} as service_line_key,
        al.erp_class_id,
        al.erp_department_id,
        al.erp_entity_id,
        {{ from_lookups.client_key }} as client_key,
        {{ from_lookups.project_key }} as project_key,
        coalesce(al.is_posting, al.header_is_posting, false) as is_posting,
        al.debit_amount,
        al.credit_amount,
        coalesce(al.amount_functional, coalesce(al.debit_amount, 0) - coalesce(al.credit_amount, 0)) as amount_entity,
        {{ from_lookups.entity_currency_code }} as entity_currency_code,
        coalesce(c.currency_code, '-1') as transaction_currency_code,
        case when al.exchange_rate > 0
            then coalesce(al.amount_functional, coalesce(al.debit_amount, 0) - coalesce(al.credit_amount, 0))
                / al.exchange_rate
        end as amount_transaction,
        al.amount_unpaid as amount_unpaid_entity,
        al.read_loaded_at as _loaded_at,
        al.erp_psa_project_id
    from filtered as al
    -- from_lookups reads a, e, sl, cl and pr by these names (and changed_lookups' subquery joins them so)
    left join accounts as a on al.erp_account_id = a.account_id  -- noqa: AL04
    left join entities as e on al.erp_subsidiary_id = e.erp_subsidiary_id  -- noqa: AL04
    left join currencies as c on al.currency_id = c.currency_id
    left join service_lines as sl on al.erp_class_id = sl.erp_class_id  -- noqa: AL04
    left join clients_by_erp as cl on al.erp_entity_id = cl.erp_customer_id  -- noqa: AL04
    left join projects as pr on al.erp_psa_project_id = pr.psa_project_id  -- noqa: AL04
),

rated as (
    select
        f.*,
        case
            when f.general_rate_type = 'average' then 'average'
            when f.general_rate_type = 'current' then 'closing'
            when f.general_rate_type = 'historical' then 'spot'
            when f.is_income_statement then 'average'
            else 'closing'
        end as period_rate_type,
        {{ reporting_currency_literal() }} as reporting_currency_code,
        {{ fx_rate_to_reporting('fx_s', 'f.entity_currency_code') }} as spot_rate_to_reporting,
        {{ fx_rate_to_reporting('fx_p', 'f.entity_currency_code', 'average_rate') }} as average_rate_to_reporting,
        {{ fx_rate_to_reporting('fx_p', 'f.entity_currency_code', 'closing_rate') }} as closing_rate_to_reporting
    from base as f
    {{ join_spot_rate_to_reporting('fx_s', 'f.entity_currency_code', 'f.transaction_date') }}
    {{ join_periodic_rate('fx_p', 'f.entity_currency_code', reporting_currency_literal(), 'f.period_start') }}
)

select
    gl_line_id, transaction_id, line_id, accounting_book_id, transaction_number, transaction_type,
    transaction_date, period_start, erp_accounting_period_id, erp_account_id, account_number, account_name,
    account_type, general_rate_type, is_income_statement, legal_entity_key, erp_subsidiary_id,
    service_line_key, erp_class_id, erp_department_id, erp_entity_id, client_key, is_posting, debit_amount,
    credit_amount,
    transaction_currency_code, amount_transaction, entity_currency_code, amount_entity, amount_unpaid_entity,
    reporting_currency_code,
    spot_rate_to_reporting,
    amount_entity * spot_rate_to_reporting as amount_reporting_spot,
    period_rate_type,
    case period_rate_type
        when 'average' then average_rate_to_reporting
        when 'closing' then closing_rate_to_reporting
        else spot_rate_to_reporting
    end as period_rate_to_reporting,
    amount_entity * case period_rate_type
        when 'average' then average_rate_to_reporting
        when 'closing' then closing_rate_to_reporting
        else spot_rate_to_reporting
    end as amount_reporting_period,
    spot_rate_to_reporting is null as is_fx_rate_missing,
    _loaded_at,
    project_key,
    erp_psa_project_id,
    {{ throughline.build_stamp() }} as _built_at
from rated
