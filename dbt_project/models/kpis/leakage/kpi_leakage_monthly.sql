{#- Revenue leakage (definition "leakage v1", docs/metrics.md "Leakage"; reference §6.4, §3.3, §8.2 B1/B3/B4).
    One row per month x project x legal entity that has any leakage indicator or recognised revenue, from the
    first month with activity to the month of the as-of date (var kpi_as_of_date, else the latest data date).
      balances as of the month end (closing rate):
        unbilled_time      approved billable time (in-cap value) aged past the window, not invoiced by the month end
        unbilled_expenses  approved billable expenses aged past the window, not invoiced by the month end
      flows within the month (average rate):
        below_rate_card    invoiced time lines: (baseline rate - invoiced rate) x quantity where > 0; baseline =
                           rate card, lowered to the approved contracted rate of the billed time when below it
                           (that approved discount is reported apart as approved_rate_discount, not leakage)
        write_offs         credit memos with reason WRITE_OFF
        credit_notes       other credit memos (DISPUTE, DISCOUNT, REBILL not re-invoiced; re-invoiced rebills
                           are reported apart as rebilled_credit_notes, not leakage)
        over_cap           month increase of T&M value above the NTE cap (fct_revenue)
        leakage_total      below_rate_card + write_offs + credit_notes + over_cap (balances are NOT added)
        revenue            recognised revenue (fct_revenue)
    Intercompany invoices and credit memos are excluded. -#}

{%- set unbilled_after_days = var('leakage_unbilled_after_days') | int %}
{%- set rebill_window_days = var('leakage_rebill_window_days') | int %}
{%- set measures = ['revenue', 'unbilled_time', 'unbilled_expenses', 'below_rate_card', 'approved_rate_discount',
    'write_offs', 'credit_notes', 'rebilled_credit_notes', 'over_cap'] %}
{%- set flow_measures = ['below_rate_card', 'write_offs', 'credit_notes', 'over_cap'] %}
{%- set pct_measures = ['leakage_total', 'unbilled_time', 'unbilled_expenses', 'below_rate_card', 'write_offs',
    'credit_notes', 'over_cap'] %}

with as_of as (
    select {{ leakage_as_of_date() }} as as_of_date
),

projects as (
    select
        project_key, client_key, contract_key, service_line_key, contract_type,
        currency_code as contract_currency_code
    from {{ ref('dim_project') }}
),

entities as (
    select legal_entity_key, functional_currency_code
    from {{ ref('dim_legal_entity') }}
    where not is_unknown
),

{# ---------- ERP documents ---------- #}
invoice_dates as (
    {# one row per invoice: its date, and whether it counts (not voided) #}
    select
        transaction_id,
        min(transaction_date) as invoice_date,
        max(case when is_voided then 1 else 0 end) as is_voided_flag
    from {{ ref('fct_invoice_lines') }}
    where transaction_type = 'invoice'
    group by transaction_id
),

invoice_totals as (
    {# net-of-tax total per external invoice and project, for matching rebills #}
    select
        transaction_id, project_key, transaction_date, transaction_currency_code,
        sum(amount_transaction) as amount_transaction
    from {{ ref('fct_invoice_lines') }}
    where transaction_type = 'invoice' and not is_voided and not is_tax_line and not is_intercompany
        and project_key <> '-1'
    group by transaction_id, project_key, transaction_date, transaction_currency_code
),

{# ---------- unbilled approved billable time (balance) ---------- #}
billable_time as (
    select
        t.time_entry_id,
        t.project_key,
        t.legal_entity_key,
        t.spent_date,
        t.transaction_currency_code,
        t.billable_amount_transaction,
        {# the time can be billed once it is worked AND approved; it ages from the later of the two #}
        case
            when t.approved_at is not null and cast(t.approved_at as date) > t.spent_date
                then cast(t.approved_at as date)
            else t.spent_date
        end as billable_from_date,
        case when i.is_voided_flag = 0 then i.invoice_date end as invoice_date,
        p.contract_currency_code,
        {{ fx_rate('fx_c', 't.transaction_currency_code', 'p.contract_currency_code') }} as fx_rate_to_contract
    from {{ ref('fct_time_entries') }} as t
    left join invoice_dates as i on t.erp_invoice_id = i.transaction_id
    left join projects as p on t.project_key = p.project_key
    {{ join_spot_rate('fx_c', 't.transaction_currency_code', 'p.contract_currency_code', 't.spent_date') }}
    {# only time billed by the hour: fixed-fee, milestone and retainer time is never invoiced per entry #}
    where t.is_approved and t.is_billable and t.hours > 0 and t.billable_amount_transaction > 0
        and p.contract_type = 'time_and_materials'
),

nte_caps as (
    {# the current NTE cap of each capped T&M contract, as fct_revenue applies it (latest month) #}
    select project_key, nte_cap_amount
    from (
        select
            project_key, nte_cap_amount,
            row_number() over (partition by project_key order by revenue_month desc) as recency
        from {{ ref('fct_revenue') }}
        where contract_type = 'time_and_materials' and nte_cap_amount is not null
    ) as latest
    where recency = 1
),

time_vs_cap as (
    {# running value in contract currency (spot rate of the day worked, as revenue does), by work date: only
       for projects with a cap, so the window sorts their time and not every billable entry #}
    select
        b.*,
        c.nte_cap_amount,
        cast(b.billable_amount_transaction * b.fx_rate_to_contract as {{ throughline.amount_type() }})
            as value_contract,
        sum(cast(b.billable_amount_transaction * b.fx_rate_to_contract as {{ throughline.amount_type() }}))
            over (partition by b.project_key order by b.spent_date, b.time_entry_id
                rows between unbounded preceding and current row) as cumulative_value_contract
    from billable_time as b
    inner join nte_caps as c on b.project_key = c.project_key

    union all

    select
        b.*,
        cast(null as numeric(18, 2)) as nte_cap_amount,
        cast(null as {{ throughline.amount_type() }}) as value_contract,
        cast(null as {{ throughline.amount_type() }}) as cumulative_value_contract
    from billable_time as b
    where not exists (select 1 from nte_caps as c where c.project_key = b.project_key)
),

time_in_cap as (
    {# the part of each entry inside the cap; the part above it is reported as over_cap, not unbilled #}
    select
        time_entry_id, project_key, legal_entity_key, transaction_currency_code, billable_from_date, invoice_date,
        case
            when nte_cap_amount is null then billable_amount_transaction
            when cumulative_value_contract <= nte_cap_amount then billable_amount_transaction
            when cumulative_value_contract - value_contract >= nte_cap_amount then cast(0 as numeric(18, 2))
            else cast(billable_amount_transaction
                * (nte_cap_amount - (cumulative_value_contract - value_contract)) / value_contract
                as numeric(18, 2))
        end as in_cap_amount_transaction
    from time_vs_cap
),

{# ---------- month spine ---------- #}
first_dates as (
    select min(spent_date) as d from billable_time
    union all
    select min(revenue_month) from {{ ref('fct_revenue') }}
    union all
    select min(transaction_date) from {{ ref('fct_invoice_lines') }}
),

months as (
    select
        s.date_day as month_start_date,
        {{ throughline.month_end('s.date_day') }} as month_end_date
    from (
        {{ throughline.day_series('(select min(d) from first_dates)', '(select as_of_date from as_of)') }}
    ) as s
    where s.date_day = cast({{ dbt.date_trunc('month', 's.date_day') }} as date)
),

unbilled_time as (
    select
        m.month_start_date,
        t.project_key,
        t.legal_entity_key,
        'unbilled_time' as measure,
        'closing' as rate_type,
        t.transaction_currency_code,
        sum(t.in_cap_amount_transaction) as amount_transaction
    from time_in_cap as t
    inner join months as m
        on {{ dbt.dateadd('day', unbilled_after_days, 't.billable_from_date') }} <= m.month_end_date
        and (t.invoice_date is null or t.invoice_date > m.month_end_date)
    where t.in_cap_amount_transaction > 0
        {# only items that are ever unbilled past the window reach the range join #}
        and (t.invoice_date is null
            or t.invoice_date > {{ dbt.dateadd('day', unbilled_after_days, 't.billable_from_date') }})
    group by m.month_start_date, t.project_key, t.legal_entity_key, t.transaction_currency_code
),

{# ---------- unbilled approved billable expenses (balance) ---------- #}
billable_expenses as (
    select
        e.project_key,
        e.legal_entity_key,
        e.spent_date,
        e.transaction_currency_code,
        cast({{ throughline.round_half_up('e.billable_amount_transaction') }} as numeric(18, 2))
            as billable_amount_transaction,
        case when i.is_voided_flag = 0 then i.invoice_date end as invoice_date
    from {{ ref('fct_expenses') }} as e
    left join invoice_dates as i on e.erp_invoice_id = i.transaction_id
    where e.is_approved and e.is_billable and e.billable_amount_transaction > 0
),

unbilled_expenses as (
    select
        m.month_start_date,
        e.project_key,
        e.legal_entity_key,
        'unbilled_expenses' as measure,
        'closing' as rate_type,
        e.transaction_currency_code,
        sum(e.billable_amount_transaction) as amount_transaction
    from billable_expenses as e
    inner join months as m
        on {{ dbt.dateadd('day', unbilled_after_days, 'e.spent_date') }} <= m.month_end_date
        and (e.invoice_date is null or e.invoice_date > m.month_end_date)
    where e.invoice_date is null or e.invoice_date > {{ dbt.dateadd('day', unbilled_after_days, 'e.spent_date') }}
    group by m.month_start_date, e.project_key, e.legal_entity_key, e.transaction_currency_code
),

{# ---------- billed below rate card (flow, month of the invoice) ---------- #}
time_lines as (
    select
        l.invoice_line_id,
        l.transaction_id,
        l.transaction_date,
        l.project_key,
        l.legal_entity_key,
        l.psa_role_id,
        l.service_period_start,
        l.service_period_end,
        coalesce(l.service_period_start, l.transaction_date) as rate_date,
        l.quantity,
        l.unit_rate,
        l.transaction_currency_code
    from {{ ref('fct_invoice_lines') }} as l
    where l.transaction_type = 'invoice' and not l.is_voided and not l.is_tax_line and not l.is_intercompany
        and l.psa_role_id is not null and l.quantity > 0 and l.unit_rate is not null
),

line_groups_time as (
    {# approved billable time each (invoice, role, service period) billed, by its PSA (contracted) rate #}
    select g.transaction_id, g.psa_role_id, g.service_period_start, t.bill_rate, sum(t.hours) as hours
    from (
        select distinct transaction_id, psa_role_id, service_period_start, service_period_end
        from time_lines
    ) as g
    inner join {{ ref('fct_time_entries') }} as t
        on t.erp_invoice_id = g.transaction_id
        and t.psa_role_id = g.psa_role_id
        and t.spent_date between g.service_period_start and g.service_period_end
    where t.is_approved and t.is_billable and t.hours > 0
    group by g.transaction_id, g.psa_role_id, g.service_period_start, t.bill_rate
),

line_groups_billed as (
    select transaction_id, psa_role_id, service_period_start, unit_rate, sum(quantity) as quantity
    from time_lines
    group by transaction_id, psa_role_id, service_period_start, unit_rate
),

uncovered_time as (
    {# contracted hours of a group not billed on a line at their own rate: what an off-rate line billed #}
    select
        t.transaction_id, t.psa_role_id, t.service_period_start,
        sum((t.hours - coalesce(b.quantity, 0)) * t.bill_rate) / sum(t.hours - coalesce(b.quantity, 0))
            as uncovered_rate
    from line_groups_time as t
    left join line_groups_billed as b
        on t.transaction_id = b.transaction_id and t.psa_role_id = b.psa_role_id
        and t.service_period_start = b.service_period_start and t.bill_rate = b.unit_rate
    where t.hours > coalesce(b.quantity, 0)
    group by t.transaction_id, t.psa_role_id, t.service_period_start
),

time_lines_rated as (
    select
        l.*,
        rc.bill_rate as rate_card_rate,
        {# contracted rate: the line's own rate when billed time carries it, else the rate of the time the
            group left unbilled at its own rate; null when no linked time #}
        case
            when exact.bill_rate is not null then l.unit_rate
            else u.uncovered_rate
        end as contracted_rate
    from time_lines as l
    left join {{ ref('int_rate_cards_dated') }} as rc
        on l.psa_role_id = rc.role_id
        and l.transaction_currency_code = rc.currency_code
        and l.rate_date between rc.valid_from and rc.valid_to
    left join line_groups_time as exact
        on l.transaction_id = exact.transaction_id and l.psa_role_id = exact.psa_role_id
        and l.service_period_start = exact.service_period_start and l.unit_rate = exact.bill_rate
    left join uncovered_time as u
        on l.transaction_id = u.transaction_id and l.psa_role_id = u.psa_role_id
        and l.service_period_start = u.service_period_start
),

time_lines_baseline as (
    select
        r.*,
        {# baseline = rate card, lowered to an approved contracted rate below it (reference §6.4) #}
        case
            when r.rate_card_rate is null then r.contracted_rate
            when r.contracted_rate is null then r.rate_card_rate
            when r.contracted_rate < r.rate_card_rate then r.contracted_rate
            else r.rate_card_rate
        end as baseline_rate
    from time_lines_rated as r
),

rate_variances as (
    select
        cast({{ dbt.date_trunc('month', 'transaction_date') }} as date) as month_start_date,
        project_key,
        legal_entity_key,
        transaction_currency_code,
        {#- the baseline may be a ratio (a double): round_half_up rounds the same on every engine -#}
        cast({{ throughline.round_half_up(
            'case when baseline_rate > unit_rate then (baseline_rate - unit_rate) * quantity else 0 end') }}
            as numeric(18, 2)) as below_rate_card_amount,
        cast({{ throughline.round_half_up('case
            when rate_card_rate is null then 0
            when rate_card_rate > baseline_rate and rate_card_rate > unit_rate
                then (rate_card_rate - case when baseline_rate > unit_rate then baseline_rate else unit_rate end)
                    * quantity
            else 0
        end') }} as numeric(18, 2)) as approved_rate_discount_amount
    from time_lines_baseline
),

below_rate_card as (
    select month_start_date, project_key, legal_entity_key, 'below_rate_card' as measure, 'average' as rate_type,
        transaction_currency_code, sum(below_rate_card_amount) as amount_transaction
    from rate_variances
    group by month_start_date, project_key, legal_entity_key, transaction_currency_code
    union all
    select month_start_date, project_key, legal_entity_key, 'approved_rate_discount', 'average',
        transaction_currency_code, sum(approved_rate_discount_amount)
    from rate_variances
    group by month_start_date, project_key, legal_entity_key, transaction_currency_code
),

{# ---------- credit memos (flow, month of the credit memo) ---------- #}
credit_memos as (
    {# amounts land positive on credit memos: a positive amount here is value given back #}
    select
        transaction_id, transaction_date, project_key, legal_entity_key, transaction_currency_code,
        coalesce(credit_reason_code, 'UNSPECIFIED') as credit_reason_code,
        sum(amount_transaction) as amount_transaction
    from {{ ref('fct_invoice_lines') }}
    where transaction_type = 'credit_memo' and not is_voided and not is_tax_line and not is_intercompany
    group by transaction_id, transaction_date, project_key, legal_entity_key, transaction_currency_code,
        credit_reason_code
),

rebills_reinvoiced as (
    {# a REBILL is re-invoiced when the same project has an invoice within the window on or after the credit
        memo, in the same currency, whose net-of-tax total covers the credited amount #}
    select distinct c.transaction_id
    from credit_memos as c
    inner join invoice_totals as i
        on c.project_key = i.project_key
        and c.transaction_currency_code = i.transaction_currency_code
        and i.transaction_date >= c.transaction_date
        and i.transaction_date <= {{ dbt.dateadd('day', rebill_window_days, 'c.transaction_date') }}
        and i.amount_transaction >= c.amount_transaction
    where c.credit_reason_code = 'REBILL' and c.project_key <> '-1'
),

credit_notes as (
    select
        cast({{ dbt.date_trunc('month', 'c.transaction_date') }} as date) as month_start_date,
        c.project_key,
        c.legal_entity_key,
        case
            when c.credit_reason_code = 'WRITE_OFF' then 'write_offs'
            when r.transaction_id is not null then 'rebilled_credit_notes'
            else 'credit_notes'
        end as measure,
        'average' as rate_type,
        c.transaction_currency_code,
        sum(c.amount_transaction) as amount_transaction
    from credit_memos as c
    left join rebills_reinvoiced as r on c.transaction_id = r.transaction_id
    group by 1, 2, 3, 4, 5, 6
),

{# ---------- T&M over the NTE cap (flow) and recognised revenue ---------- #}
over_cap as (
    select
        revenue_month as month_start_date,
        project_key,
        legal_entity_key,
        'over_cap' as measure,
        'average' as rate_type,
        transaction_currency_code,
        cast(coalesce(cumulative_excess_over_cap, 0) - coalesce(lag(cumulative_excess_over_cap) over (
            partition by project_key, revenue_method order by revenue_month), 0) as numeric(18, 2))
            as amount_transaction
    from {{ ref('fct_revenue') }}
    where contract_type = 'time_and_materials'
),

{# ---------- all indicators in one long list, converted ---------- #}
indicators as (
    select * from unbilled_time
    union all select * from unbilled_expenses
    union all select * from below_rate_card
    union all select * from credit_notes
    union all select * from over_cap
),

converted as (
    select
        i.month_start_date,
        i.project_key,
        i.legal_entity_key,
        i.measure,
        e.functional_currency_code as entity_currency_code,
        cast({{ throughline.round_double('i.amount_transaction * ' ~ leakage_periodic_rate('fx_e',
            'i.transaction_currency_code', 'e.functional_currency_code', 'i.rate_type')) }} as numeric(18, 2))
            as amount_entity,
        cast({{ throughline.round_double('i.amount_transaction * ' ~ leakage_periodic_rate('fx_r',
            'i.transaction_currency_code', reporting_currency_literal(), 'i.rate_type')) }} as numeric(18, 2))
            as amount_reporting,
        case when i.amount_transaction <> 0 and (
            {{ leakage_periodic_rate('fx_e', 'i.transaction_currency_code', 'e.functional_currency_code',
                'i.rate_type') }} is null
            or {{ leakage_periodic_rate('fx_r', 'i.transaction_currency_code', reporting_currency_literal(),
                'i.rate_type') }} is null) then 1 else 0 end as fx_rate_missing_flag
    from indicators as i
    left join entities as e on i.legal_entity_key = e.legal_entity_key
    {{ join_periodic_rates('i.transaction_currency_code', 'e.functional_currency_code', 'i.month_start_date') }}
    where i.amount_transaction <> 0

    union all

    {# revenue exactly as booked in fct_revenue (already at the month's average rate) #}
    select
        r.revenue_month, r.project_key, r.legal_entity_key, 'revenue',
        e.functional_currency_code,
        cast(r.amount_entity as numeric(18, 2)),
        cast(r.amount_reporting as numeric(18, 2)),
        case when r.is_fx_rate_missing then 1 else 0 end
    from {{ ref('fct_revenue') }} as r
    left join entities as e on r.legal_entity_key = e.legal_entity_key
),

pivoted as (
    select
        c.month_start_date,
        c.project_key,
        c.legal_entity_key,
        max(c.entity_currency_code) as entity_currency_code,
        {%- for m in measures %}
        sum(case when c.measure = '{{ m }}' then c.amount_entity else 0 end) as {{ m }}_entity,
        sum(case when c.measure = '{{ m }}' then c.amount_reporting else 0 end) as {{ m }}_reporting,
        {%- endfor %}
        max(c.fx_rate_missing_flag) as fx_rate_missing_flag
    from converted as c
    inner join months as m on c.month_start_date = m.month_start_date
    group by c.month_start_date, c.project_key, c.legal_entity_key
),

totals as (
    select
        p.*,
        {%- for suffix in ['entity', 'reporting'] %}
        {% for m in flow_measures %}{{ 'p.' ~ m ~ '_' ~ suffix }}{{ ' + ' if not loop.last }}{% endfor %}
            as leakage_total_{{ suffix }}{{ ',' if not loop.last }}
        {%- endfor %}
    from pivoted as p
)

select
    t.month_start_date,
    m.month_end_date,
    m.month_end_date > a.as_of_date as is_partial_month,
    t.project_key,
    coalesce(p.client_key, '-1') as client_key,
    coalesce(p.contract_key, '-1') as contract_key,
    t.legal_entity_key,
    coalesce(p.service_line_key, '-1') as service_line_key,
    coalesce(p.contract_type, 'unknown') as contract_type,
    t.entity_currency_code,
    {{ reporting_currency_literal() }} as reporting_currency_code,
    {%- for m in measures + ['leakage_total'] %}
    case when t.entity_currency_code is not null then t.{{ m }}_entity end as {{ m }}_entity,
    t.{{ m }}_reporting,
    {%- endfor %}
    {%- for m in pct_measures %}
    {{ safe_ratio('t.' ~ m ~ '_reporting', 't.revenue_reporting') }} as {{ 'leakage_pct_of_revenue' if m == 'leakage_total' else m ~ '_pct_of_revenue' }},
    {%- endfor %}
    t.fx_rate_missing_flag = 1 as is_fx_rate_missing,
    {{ kpi_definition_version('leakage') }} as definition_version
from totals as t
inner join months as m on t.month_start_date = m.month_start_date
cross join as_of as a
left join projects as p on t.project_key = p.project_key
where t.revenue_reporting <> 0 or t.unbilled_time_reporting <> 0 or t.unbilled_expenses_reporting <> 0
    or t.below_rate_card_reporting <> 0 or t.approved_rate_discount_reporting <> 0 or t.write_offs_reporting <> 0
    or t.credit_notes_reporting <> 0 or t.rebilled_credit_notes_reporting <> 0 or t.over_cap_reporting <> 0
    or t.fx_rate_missing_flag = 1
