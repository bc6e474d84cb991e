import Form from "@rjsf/core";
import type { ErrorSchema, RJSFSchema, UiSchema } from "@rjsf/utils";
import { customizeValidator } from "@rjsf/validator-ajv8";
import localizeZh from "ajv-i18n/localize/zh";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import type { AttachmentOut } from "../api/types";
import { normLang } from "../lib/format";
import { AttachmentsContext, attachmentWidgets } from "./Attachments";

// Field messages in the UI's language: ajv-i18n translates Ajv's own messages.
// `format: attachment` holds an uploaded file's id (components/Attachments.tsx).
const formats = { customFormats: { attachment: /^[0-9a-fA-F-]{32,36}$/ } };
const validators = {
  en: customizeValidator(formats),
  "zh-CN": customizeValidator(formats, localizeZh as Parameters<typeof customizeValidator>[1]),
};

interface Props {
  schema: Record<string, unknown>;
  uiSchema?: Record<string, unknown> | null;
  data: Record<string, unknown>;
  onChange?: (data: Record<string, unknown>) => void;
  onSubmit?: (data: Record<string, unknown>) => void;
  extraErrors?: ErrorSchema;
  readonly?: boolean;
  disabled?: boolean;
  children?: ReactNode;
  attachments?: AttachmentOut[]; // the request's files, named by attachment fields
}

/** A definition's request form, rendered by react-jsonschema-form from its JSON Schema. */
export function RequestForm(props: Props) {
  const { i18n } = useTranslation();
  const validator = validators[normLang(i18n.language)];
  const ui: UiSchema = { ...(props.uiSchema ?? {}) };
  if (props.readonly) ui["ui:submitButtonOptions"] = { norender: true };
  return (
    <AttachmentsContext.Provider value={props.attachments ?? []}>
    <Form
      className={props.readonly ? "rjsf rjsf-readonly" : "rjsf"}
      widgets={attachmentWidgets}
      schema={props.schema as RJSFSchema}
      uiSchema={ui}
      formData={props.data}
      validator={validator}
      readonly={props.readonly}
      disabled={props.disabled}
      showErrorList={false}
      noHtml5Validate
      focusOnFirstError
      extraErrors={props.extraErrors}
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
          <dt>{k}</dt>
          <dd>{typeof v === "object" ? JSON.stringify(v) : String(v)}</dd>
        </div>
      ))}
    </dl>
  );
}
