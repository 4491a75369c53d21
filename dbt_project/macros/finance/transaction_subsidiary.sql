{#- select body: one row per NetSuite transaction with the subsidiary of its main line (else of its first
    line by line_id). Headers carry no subsidiary; AR invoices and payments take the entity from here. -#}
{% macro transaction_subsidiaries() -%}
    select transaction_id, subsidiary_id
    from (
        select transaction_id, subsidiary_id,
            row_number() over (partition by transaction_id order by coalesce(is_main_line, false) desc, line_id)
                as rn
        from {{ throughline.erp_input('transaction_lines') }}
    ) as l
    where rn = 1
{%- endmacro %}
