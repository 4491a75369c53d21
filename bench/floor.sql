-- The floor: what the four headline KPIs cost in plain DuckDB SQL on the same extracts, with no framework.
-- Read every extract file into a typed table (latest version of each key, deletions dropped), then compute
-- utilization by resource and month, backlog by contract, margin by project and DSO by entity.
-- Deliberately simpler than the warehouse (no FX, no crosswalks, no checks): a lower bound on the work, not
-- a second implementation. bench/floor.py replaces __LANDING__ with the landing folder and runs it.

create table time_entries as
select * exclude (rn) from (
    select *, row_number() over (partition by id order by updated_at desc) as rn
    from read_json('__LANDING__/psa/*/time_entries.jsonl', format = 'newline_delimited', ignore_errors = true,
        columns = {id: 'bigint', resource_id: 'bigint', project_id: 'bigint', spent_date: 'date',
                   hours: 'decimal(9,2)', is_billable: 'boolean', work_type: 'varchar', status: 'varchar',
                   bill_rate: 'decimal(12,2)', cost_rate: 'decimal(12,2)', updated_at: 'timestamp',
                   deleted_at: 'timestamp'})
) where rn = 1 and deleted_at is null;

create table resources as
select * exclude (rn) from (
    select *, row_number() over (partition by id order by updated_at desc) as rn
    from read_json('__LANDING__/psa/*/resources.jsonl', format = 'newline_delimited', ignore_errors = true,
        columns = {id: 'bigint', weekly_capacity_hours: 'decimal(6,2)', updated_at: 'timestamp',
                   deleted_at: 'timestamp'})
) where rn = 1 and deleted_at is null;

create table projects as
select * exclude (rn) from (
    select *, row_number() over (partition by id order by updated_at desc) as rn
    from read_json('__LANDING__/psa/*/projects.jsonl', format = 'newline_delimited', ignore_errors = true,
        columns = {id: 'bigint', budget_amount: 'decimal(14,2)', billing_type: 'varchar',
                   updated_at: 'timestamp', deleted_at: 'timestamp'})
) where rn = 1 and deleted_at is null;

create table transactions as
select * exclude (rn) from (
    select *, row_number() over (partition by id order by lastmodifieddate desc) as rn
    from read_csv('__LANDING__/netsuite/*/transaction.csv', union_by_name = true, ignore_errors = true,
        header = true, types = {id: 'bigint', type: 'varchar', trandate: 'date', exchangerate: 'double',
                                foreigntotal: 'decimal(14,2)', lastmodifieddate: 'timestamp',
                                _fivetran_deleted: 'boolean'})
) where rn = 1 and not coalesce(_fivetran_deleted, false);

create table transaction_lines as
select * exclude (rn) from (
    select *, row_number() over (partition by transaction, id order by linelastmodifieddate desc) as rn
    from read_csv('__LANDING__/netsuite/*/transactionline.csv', union_by_name = true, ignore_errors = true,
        header = true, types = {id: 'bigint', transaction: 'bigint', mainline: 'boolean', subsidiary: 'bigint',
                                netamount: 'decimal(14,2)', custcol_psa_project_id: 'bigint',
                                linelastmodifieddate: 'timestamp', _fivetran_deleted: 'boolean'})
) where rn = 1 and not coalesce(_fivetran_deleted, false);

-- 1. utilization by resource and month: approved productive hours over capacity (weekdays x weekly / 5)
create table kpi_utilization as
with months as (
    select date_trunc('month', d)::date as month, count(*) filter (where isodow(d) <= 5) as workdays
    from (select unnest(generate_series(min(spent_date), max(spent_date), interval 1 day))::date as d
          from time_entries)
    group by 1
),
hours as (
    select resource_id, date_trunc('month', spent_date)::date as month, sum(hours) as productive_hours
    from time_entries
    where status = 'approved' and work_type in ('client', 'presales', 'internal', 'training')
    group by 1, 2
)
select h.resource_id, h.month, h.productive_hours,
       r.weekly_capacity_hours / 5 * m.workdays as capacity_hours,
       h.productive_hours / nullif(r.weekly_capacity_hours / 5 * m.workdays, 0) as utilization
from hours as h
join months as m using (month)
left join resources as r on r.id = h.resource_id;

-- invoice lines per project (the fee billed so far)
create table billed_by_project as
select l.custcol_psa_project_id as project_id, sum(l.netamount) as billed
from transaction_lines as l
join transactions as t on t.id = l.transaction
where t.type = 'CustInvc' and not coalesce(l.mainline, false) and l.custcol_psa_project_id is not null
group by 1;

-- 2. backlog by contract: contract value less what has been billed
create table kpi_backlog as
select p.id as project_id, p.budget_amount, coalesce(b.billed, 0) as billed,
       greatest(p.budget_amount - coalesce(b.billed, 0), 0) as backlog
from projects as p
left join billed_by_project as b on b.project_id = p.id;

-- 3. margin by project: approved billable value less the cost of all approved time
create table kpi_margin as
select project_id,
       sum(case when is_billable then hours * bill_rate else 0 end) as revenue,
       sum(hours * cost_rate) as cost,
       (revenue - cost) / nullif(revenue, 0) as margin
from time_entries
where status = 'approved'
group by 1;

-- 4. DSO by entity: open receivables over the trailing 90 days of credit sales, times 90
create table kpi_dso as
with docs as (
    select l.subsidiary, t.type, t.trandate, t.foreigntotal * coalesce(t.exchangerate, 1) as amount
    from transactions as t
    join transaction_lines as l on l.transaction = t.id and l.mainline
    where t.type in ('CustInvc', 'CustCred', 'CustPymt')
),
as_of as (select max(trandate) as d from docs)
select subsidiary,
       sum(case type when 'CustInvc' then amount else -amount end) as receivables,
       sum(amount) filter (where type = 'CustInvc' and trandate > (select d from as_of) - 90) as sales_90d,
       receivables / nullif(sales_90d, 0) * 90 as dso
from docs
group by 1;
