import Form from "@rjsf/core";
import type { ErrorSchema, RJSFSchema, UiSchema, WidgetProps } from "@rjsf/utils";
import { customizeValidator } from "@rjsf/validator-ajv8";
import localizeZh from "ajv-i18n/localize/zh";
import { useEffect, useMemo, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import type { AttachmentOut, UserOut } from "../api/types";
import { useAuth } from "../auth";
import { formatAmount, normLang, parseNumberInput } from "../lib/format";
import { addDateRuleErrors, localizeSchema, plainErrors } from "../lib/formErrors";
import { localToday } from "../lib/formRules";
import { personName } from "../lib/localize";
import { AttachmentsContext, attachmentWidgets } from "./Attachments";

// `format: attachment` holds an uploaded file's id (components/Attachments.tsx).
const formats = { customFormats: { attachment: /^[0-9a-fA-F-]{32,36}$/ } };
// ajv-i18n still words what plainErrors does not know; plainErrors words the rest.
const validators = {
  en: customizeValidator(formats),
  "zh-CN": customizeValidator(formats, localizeZh as Parameters<typeof customizeValidator>[1]),
};

type Schema = Record<string, unknown>;

/**
 * A number typed as text: "15,821.25" is a number, "12e" stays "12e" (and the form says
 * it is not a number) rather than the empty value a browser's number input gives.
 * Read-only, it shows the amount with separators and the currency the field declares.
 */
function NumberWidget(props: WidgetProps) {
  const { i18n } = useTranslation();
  const { id, value, readonly, disabled, onChange, onBlur, onFocus, schema, rawErrors, required } = props;
  const currency = typeof schema.currency === "string" ? schema.currency : null;
  const shown = (v: unknown) => (v == null ? "" : String(v));
  const [text, setText] = useState(shown(value));
  useEffect(() => {
    // follow the form's value unless it is what the text already says
    if (parseNumberInput(text) !== value && !(value === undefined && text.trim() === "")) setText(shown(value));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [value]);
  if (readonly) {
    return <output id={id} className="readonly-value num">{value == null ? "—" : formatAmount(value, currency, i18n.language)}</output>;
  }
  return (
    <span className="number-input">
      {currency && <span className="muted small" aria-hidden="true">{currency}</span>}
      <input id={id} name={id} className="form-control" type="text" inputMode="decimal" autoComplete="off" value={text}
        disabled={disabled} required={required} aria-invalid={!!rawErrors?.length}
        onChange={(e) => {
          setText(e.target.value);
          onChange(parseNumberInput(e.target.value));
        }}
        onBlur={() => onBlur(id, value)} onFocus={() => onFocus(id, value)} />
    </span>
  );
}

/** A person, chosen by name (the field holds the username), from the role the form names. */
function UserWidget(props: WidgetProps) {
  const { t, i18n } = useTranslation();
  const { people } = useAuth();
  const { id, value, readonly, disabled, onChange, onBlur, onFocus, options, schema, required } = props;
  const role = typeof options.role === "string" ? options.role : null;
  const allowed = Array.isArray(schema.enum) ? schema.enum.map(String) : null;
  const users = [...people.values()] as UserOut[];
  // the form's own list when it has one (the server checks it), else everyone in the role
  const choices = allowed ?? users.filter((u) => !role || u.roles?.includes(role)).map((u) => u.username)
    .sort((a, b) => personName(a, people, i18n.language).localeCompare(personName(b, people, i18n.language)));
  if (readonly) {
    return <output id={id} className="readonly-value">{value ? personName(String(value), people, i18n.language) : "—"}</output>;
  }
  return (
    <select id={id} name={id} value={value ?? ""} disabled={disabled} required={required}
      onChange={(e) => onChange(e.target.value || undefined)}
      onBlur={() => onBlur(id, value)} onFocus={() => onFocus(id, value)}>
      <option value="">{t("form.pickPerson")}</option>
      {choices.map((u) => <option key={u} value={u}>{personName(u, people, i18n.language)}</option>)}
    </select>
  );
}

const WIDGETS = { ...attachmentWidgets, numberText: NumberWidget, user: UserWidget };

/** The ui schema plus the number widget on every number field that names no widget. */
function withWidgets(schema: unknown, ui: Record<string, unknown>): Record<string, unknown> {
  const s = (schema ?? {}) as Schema;
  if (s.type === "number" || s.type === "integer") {
    return ui["ui:widget"] ? ui : { ...ui, "ui:widget": "numberText" };
  }
  const out: Record<string, unknown> = { ...ui };
  const props = s.properties as Record<string, unknown> | undefined;
  if (props) {
    for (const [k, v] of Object.entries(props)) out[k] = withWidgets(v, (ui[k] ?? {}) as Record<string, unknown>);
  }
  if (s.type === "array" && s.items && typeof s.items === "object") {
    out.items = withWidgets(s.items, (ui.items ?? {}) as Record<string, unknown>);
  }
  return out;
}

interface Props {
  schema: Record<string, unknown>;
  uiSchema?: Record<string, unknown> | null;
  data: Record<string, unknown>;
  onChange?: (data: Record<string, unknown>) => void;
  onSubmit?: (data: Record<string, unknown>) => void;
  extraErrors?: ErrorSchema;
  readonly?: boolean;
  disabled?: boolean;
  /** The day date rules count from (YYYY-MM-DD): a resubmission's filing day; else today. */
  filedOn?: string;
  children?: ReactNode;
  attachments?: AttachmentOut[]; // the request's files, named by attachment fields
}

/** A definition's request form, rendered by react-jsonschema-form from its JSON Schema. */
export function RequestForm(props: Props) {
  const { t, i18n } = useTranslation();
  const lang = normLang(i18n.language);
  const validator = validators[lang];
  const schema = useMemo(() => localizeSchema(props.schema, lang), [props.schema, lang]);
  const ui: UiSchema = useMemo(() => {
    const out = withWidgets(schema, { ...(props.uiSchema ?? {}) }) as UiSchema;
    if (props.readonly) out["ui:submitButtonOptions"] = { norender: true };
    return out;
  }, [schema, props.uiSchema, props.readonly]);
  return (
    <AttachmentsContext.Provider value={props.attachments ?? []}>
    <Form
      key={lang}
      className={props.readonly ? "rjsf rjsf-readonly" : "rjsf"}
      schema={schema as RJSFSchema}
      uiSchema={ui}
      widgets={WIDGETS}
      formData={props.data}
      validator={validator}
      readonly={props.readonly}
      disabled={props.disabled}
      showErrorList={false}
      noHtml5Validate
      focusOnFirstError
      extraErrors={props.extraErrors}
      transformErrors={(errors) => plainErrors(errors, schema, lang, t)}
      customValidate={(data, errors) =>
        addDateRuleErrors(schema, (data ?? {}) as Record<string, unknown>, props.filedOn ?? localToday(), errors, t)}
      onChange={(e) => props.onChange?.(e.formData as Record<string, unknown>)}
      onSubmit={(e) => props.onSubmit?.(e.formData as Record<string, unknown>)}
    >
      {props.children}
    </Form>
    </AttachmentsContext.Provider>
  );
}

/** Plain key/value view, when the form's schema is not available. */
export function DataTable({ data }: { data: Record<string, unknown> }) {
  return (
    <dl className="data-table">
      {Object.entries(data).map(([k, v]) => (
        <div key={k}>
          <dt>{k.replace(/_/g, " ")}</dt>
          <dd>{typeof v === "object" ? JSON.stringify(v) : String(v)}</dd>
        </div>
      ))}
    </dl>
  );
}
