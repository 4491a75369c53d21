{#- One row per billed line of a customer invoice (no tax lines, no credit memos, no voided or intercompany
    invoices) with the billing trigger it answers to and the trigger's date (docs/metrics.md, invoice cycle
    time; domain reference §6.2). The trigger depends on what the line bills:
      milestone line of a milestone project (PSA milestone id on the line, else the PSA milestone that
        records this invoice)          -> milestone accepted date, else its completed date (flagged basis);
      schedule item of a fixed-fee project (same link)
                                       -> its scheduled (due) date, else accepted / completed date;
      expense recharge (item type in var cycle_time_expense_item_types)
                                       -> latest approval of the PSA expenses billed on this invoice and
                                          project, else the line's service period end;
      retainer                         -> service period start (billed in advance for the period);
      time and materials               -> service period end, else the month end of the latest approved
                                          time entry billed on this invoice and project.
    Lines whose trigger cannot be dated keep a row with trigger_date null (never dropped).
    Reads staging only, so it sits below the marts. -#}

with invoice_headers as (
    select h.transaction_id, h.transaction_number, h.transaction_date, h.created_at, h.psa_project_id,
        h.entity_id
    from {{ throughline.erp_input('transactions') }} as h
    left join {{ throughline.erp_input('customers') }} as c on c.customer_id = h.entity_id
    where h.transaction_type = 'invoice'
        and not coalesce(h.is_voided, false)
        and coalesce(h.status, '') <> 'voided'
        and not coalesce(c.is_intercompany, false)
),

invoice_lines as (
    select l.*
    from {{ throughline.erp_input('transaction_lines') }} as l
    where not coalesce(l.is_main_line, false)
        and not coalesce(l.is_tax_line, false)
),

expense_items as (
    select item_id from {{ throughline.erp_input('items') }}
    where item_type in {{ string_list(var('cycle_time_expense_item_types')) }}
),

projects as (
    select project_id, contract_type from {{ throughline.psa_input('projects') }}
),

milestones as (
    select
        milestone_id,
        project_id,
        erp_invoice_id,
        due_date,
        coalesce(accepted_date, completed_date) as trigger_date,
        case when accepted_date is not null then 'milestone_accepted'
            when completed_date is not null then 'milestone_completed' end as trigger_date_basis,
        coalesce(due_date, accepted_date, completed_date) as schedule_date,
        case when due_date is not null then 'schedule_due_date'
            when accepted_date is not null then 'milestone_accepted'
            when completed_date is not null then 'milestone_completed' end as schedule_date_basis
    from {{ throughline.psa_input('milestones') }}
),

-- the latest-dated milestone that records the invoice, for milestone lines that do not name their milestone
milestones_by_invoice as (
    select erp_invoice_id, project_id, milestone_id
    from (
        select
            erp_invoice_id,
            project_id,
            milestone_id,
            row_number() over (
                partition by erp_invoice_id, project_id order by trigger_date desc nulls last, milestone_id desc
            ) as recency_rank
        from milestones
        where erp_invoice_id is not null
    ) as ranked
    where recency_rank = 1
),

billed_expenses as (
    select erp_invoice_id, project_id, cast(max(approved_at) as date) as last_approved_date
    from {{ throughline.psa_input('expenses') }}
    where erp_invoice_id is not null and expense_status = 'approved'
    group by erp_invoice_id, project_id
),

billed_time as (
    select erp_invoice_id, project_id, {{ throughline.month_end('max(spent_date)') }} as work_month_end_date
    from {{ throughline.psa_input('time_entries') }}
    where erp_invoice_id is not null and time_entry_status = 'approved'
    group by erp_invoice_id, project_id
),

lines as (
    select
        l.transaction_line_id as invoice_line_id,
        h.transaction_id as invoice_transaction_id,
        h.transaction_number as invoice_number,
        h.transaction_date as invoice_date,
        cast(h.created_at as date) as invoice_created_date,
        coalesce(l.psa_project_id, h.psa_project_id) as psa_project_id,
        p.contract_type,
        l.psa_milestone_id,
        l.service_period_start,
        l.service_period_end,
        xi.item_id is not null as is_expense_line
    from invoice_lines as l
    inner join invoice_headers as h on h.transaction_id = l.transaction_id
    left join projects as p on p.project_id = coalesce(l.psa_project_id, h.psa_project_id)
    left join expense_items as xi on xi.item_id = l.item_id
),

typed as (
    select
        lines.*,
        case
            when psa_milestone_id is not null and contract_type = 'fixed_fee' then 'fixed_fee_schedule'
            when psa_milestone_id is not null then 'milestone'
            when is_expense_line then 'expense'
            when contract_type = 'fixed_fee' then 'fixed_fee_schedule'
            when contract_type = 'milestone' then 'milestone'
            when contract_type = 'retainer' then 'retainer_period'
            when contract_type = 'time_and_materials' then 'time_and_materials_period'
            else 'unknown'
        end as trigger_type
    from lines
),

dated as (
    select
        t.invoice_line_id,
        t.invoice_transaction_id,
        t.invoice_number,
        t.invoice_date,
        t.invoice_created_date,
        t.psa_project_id,
        t.contract_type,
        t.trigger_type,
        case when t.trigger_type in ('milestone', 'fixed_fee_schedule')
            then coalesce(t.psa_milestone_id, mi.milestone_id) end as psa_milestone_id,
        case t.trigger_type
            when 'milestone' then coalesce(ml.trigger_date, mil.trigger_date)
            when 'fixed_fee_schedule' then coalesce(ml.schedule_date, mil.schedule_date)
            when 'expense' then coalesce(bx.last_approved_date, t.service_period_end)
            when 'retainer_period' then t.service_period_start
            when 'time_and_materials_period' then coalesce(t.service_period_end, bt.work_month_end_date)
        end as trigger_date,
        case t.trigger_type
            when 'milestone' then coalesce(ml.trigger_date_basis, mil.trigger_date_basis)
            when 'fixed_fee_schedule' then coalesce(ml.schedule_date_basis, mil.schedule_date_basis)
            when 'expense' then case when bx.last_approved_date is not null then 'expense_approved'
                when t.service_period_end is not null then 'service_period_end' end
            when 'retainer_period' then case when t.service_period_start is not null then 'service_period_start' end
            when 'time_and_materials_period' then case when t.service_period_end is not null
                then 'service_period_end' when bt.work_month_end_date is not null then 'work_month_end' end
        end as trigger_date_basis
    from typed as t
    left join milestones as ml on ml.milestone_id = t.psa_milestone_id
    left join milestones_by_invoice as mi
        on t.psa_milestone_id is null and t.trigger_type in ('milestone', 'fixed_fee_schedule')
            and mi.erp_invoice_id = t.invoice_transaction_id and mi.project_id = t.psa_project_id
    left join milestones as mil on mil.milestone_id = mi.milestone_id
    left join billed_expenses as bx
        on bx.erp_invoice_id = t.invoice_transaction_id and bx.project_id = t.psa_project_id
    left join billed_time as bt
        on bt.erp_invoice_id = t.invoice_transaction_id and bt.project_id = t.psa_project_id
)

select * from dated
