{#- The running total of `amounts` at each point of `points`: for every (key, date) row of `points`, the sum
    of the `amount` of every `amounts` row of that key dated on or before it; NULL when there is none.

    A window over the amounts and the points together, sorted by date with the amounts of a date before its
    point, instead of a range join of every amount with every later point (whose rows grow with amounts x
    points: 4.5 M rows for the GL's monthly revenue of the xl firm at its 51 month ends). `amounts`: a CTE
    or relation with columns key, date and amount (sum them per key and date first, so the window is
    short); `points`: one with key and date, distinct per key and date. Neither date may be NULL. -#}
{% macro running_total_at(amounts, points, key, date) -%}
    select {{ key }}, {{ date }}, running_total
    from (
        select {{ key }}, {{ date }}, is_point,
            sum(amount) over (
                partition by {{ key }} order by {{ date }}, is_point
                rows between unbounded preceding and current row
            ) as running_total
        from (
            select {{ key }}, {{ date }}, amount, false as is_point from {{ amounts }}
            union all
            select {{ key }}, {{ date }}, null as amount, true as is_point from {{ points }}
        ) as dated
    ) as running
    where is_point
{%- endmacro %}
