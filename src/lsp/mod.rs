//! `sblint lsp`: the language server, over stdio (lsp-server + lsp-types).
//!
//! Diagnostics on open, change and save (UTF-16 columns, as the protocol requires),
//! whole-document formatting, code actions for every fix, hover over operations, filters,
//! modifiers and diagnostic codes, completion of names in context, and go-to-definition
//! for `define`d names and `import`ed files. Every request is answered; a half-typed
//! document is just a document with syntax errors.

mod documents;
mod handlers;

use lsp_server::{Connection, ExtractError, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument,
    Notification as _, PublishDiagnostics,
};
use lsp_types::request::{
    CodeActionRequest, Completion, Formatting, GotoDefinition, HoverRequest, Request as _,
};
use lsp_types::{
    CodeActionProviderCapability, CompletionOptions, HoverProviderCapability, OneOf,
    PublishDiagnosticsParams, ServerCapabilities, TextDocumentSyncCapability, TextDocumentSyncKind,
    Uri,
};

use crate::workspace::Overrides;
use documents::Documents;

/// Runs the server on stdin/stdout until the client says `exit`; `overrides` holds the
/// `--param`, `--import-path`, `--macos` and `--config` given to `sblint lsp`.
pub fn run(overrides: Overrides) -> Result<(), Box<dyn std::error::Error + Sync + Send>> {
    let (connection, io_threads) = Connection::stdio();
    serve_with(connection, overrides)?;
    io_threads.join()?;
    Ok(())
}

pub fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        document_formatting_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec!["(".into()]),
            ..CompletionOptions::default()
        }),
        definition_provider: Some(OneOf::Left(true)),
        ..ServerCapabilities::default()
    }
}

pub fn serve(connection: Connection) -> Result<(), Box<dyn std::error::Error + Sync + Send>> {
    serve_with(connection, Overrides::default())
}

fn serve_with(
    connection: Connection,
    overrides: Overrides,
) -> Result<(), Box<dyn std::error::Error + Sync + Send>> {
    let capabilities = serde_json::to_value(capabilities())?;
    connection.initialize(capabilities)?;
    let mut docs = Documents::new(overrides);
    for message in &connection.receiver {
        match message {
            Message::Request(request) => {
                if connection.handle_shutdown(&request)? {
                    return Ok(());
                }
                let response = handle_request(&docs, request);
                connection.sender.send(Message::Response(response))?;
            }
            Message::Notification(notification) => {
                if let Some(uri) = handle_notification(&mut docs, notification) {
                    publish(&connection, &docs, uri)?;
                }
            }
            Message::Response(_) => {}
        }
    }
    Ok(())
}

fn publish(
    connection: &Connection,
    docs: &Documents,
    uri: Uri,
) -> Result<(), Box<dyn std::error::Error + Sync + Send>> {
    let diagnostics = docs.diagnostics(&uri);
    let params = PublishDiagnosticsParams {
        uri,
        diagnostics,
        version: None,
    };
    let notification = Notification::new(PublishDiagnostics::METHOD.to_string(), params);
    connection
        .sender
        .send(Message::Notification(notification))?;
    Ok(())
}

/// Updates the documents; returns the one whose diagnostics must be published.
fn handle_notification(docs: &mut Documents, notification: Notification) -> Option<Uri> {
    match notification.method.as_str() {
        DidOpenTextDocument::METHOD => {
            let params: lsp_types::DidOpenTextDocumentParams =
                serde_json::from_value(notification.params).ok()?;
            docs.open(params.text_document.uri.clone(), params.text_document.text);
            Some(params.text_document.uri)
        }
        DidChangeTextDocument::METHOD => {
            let params: lsp_types::DidChangeTextDocumentParams =
                serde_json::from_value(notification.params).ok()?;
            // Full sync: the last change holds the whole text.
            let text = params.content_changes.into_iter().last()?.text;
            docs.open(params.text_document.uri.clone(), text);
            Some(params.text_document.uri)
        }
        DidSaveTextDocument::METHOD => {
            let params: lsp_types::DidSaveTextDocumentParams =
                serde_json::from_value(notification.params).ok()?;
            if let Some(text) = params.text {
                docs.open(params.text_document.uri.clone(), text);
            }
            Some(params.text_document.uri)
        }
        DidCloseTextDocument::METHOD => {
            let params: lsp_types::DidCloseTextDocumentParams =
                serde_json::from_value(notification.params).ok()?;
            docs.close(&params.text_document.uri);
            None
        }
        _ => None,
    }
}

fn handle_request(docs: &Documents, request: Request) -> Response {
    let id = request.id.clone();
    let result = match request.method.as_str() {
        HoverRequest::METHOD => dispatch::<HoverRequest>(request, |p| handlers::hover(docs, p)),
        Formatting::METHOD => dispatch::<Formatting>(request, |p| handlers::formatting(docs, p)),
        CodeActionRequest::METHOD => {
            dispatch::<CodeActionRequest>(request, |p| handlers::code_actions(docs, p))
        }
        Completion::METHOD => dispatch::<Completion>(request, |p| handlers::completion(docs, p)),
        GotoDefinition::METHOD => {
            dispatch::<GotoDefinition>(request, |p| handlers::definition(docs, p))
        }
        _ => Err((
            lsp_server::ErrorCode::MethodNotFound,
            format!("unsupported request `{}`", request.method),
        )),
    };
    match result {
        Ok(value) => Response::new_ok(id, value),
        Err((code, message)) => Response::new_err(id, code as i32, message),
    }
}

type Outcome = Result<serde_json::Value, (lsp_server::ErrorCode, String)>;

fn dispatch<R>(request: Request, handler: impl FnOnce(R::Params) -> R::Result) -> Outcome
where
    R: lsp_types::request::Request,
{
    let (_, params) = request
        .extract::<R::Params>(R::METHOD)
        .map_err(|e| match e {
            ExtractError::JsonError { error, .. } => {
                (lsp_server::ErrorCode::InvalidParams, error.to_string())
            }
            ExtractError::MethodMismatch(r) => (lsp_server::ErrorCode::MethodNotFound, r.method),
        })?;
    let result = handler(params);
    serde_json::to_value(result).map_err(|e| (lsp_server::ErrorCode::InternalError, e.to_string()))
}
