//! The OpenAPI 3.1 document, written from the same [`RouteDoc`] list the router is
//! built from; request and response bodies are described in prose and by the problem
//! schema, which every error shares.

use serde_json::{json, Map, Value};

use super::{Access, RouteDoc};

/// What the `Idempotency-Key` header does, as the document tells clients.
const IDEMPOTENCY_KEY: &str = "Clé choisie par le client (1 à 255 caractères ASCII visibles), propre à chaque appelant. La première réponse réussie est gardée 24 h avec une empreinte de la requête : la même requête avec la même clé reçoit cette réponse (en-tête Idempotency-Replayed: true) sans rien ajouter au journal, y compris après un redémarrage quand PostgreSQL est configuré ; la même clé avec un autre corps reçoit 422 (idempotency.mismatch) ; tant que la première requête est en cours, une autre reçoit 409 (idempotency.in_progress) sans attendre, et réessaie. Une requête refusée ou en échec n'est pas gardée.";

/// The document for `routes`.
pub fn document(routes: &[RouteDoc]) -> Value {
    let mut paths = Map::new();
    for route in routes {
        let params: Vec<Value> = route
            .path
            .split('/')
            .filter_map(|segment| segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| {
                json!({"name": name, "in": "path", "required": true,
                       "schema": {"type": "string", "format": "uuid"}})
            })
            .collect();
        let security = match route.access {
            Access::Public => json!([]),
            _ => json!([{"bearer": []}, {"cookie": []}]),
        };
        let mut operation = json!({
            "summary": route.summary,
            "tags": [route.tag],
            "operationId": format!("{}_{}", route.method.as_str().to_lowercase(),
                route.path.trim_matches('/').replace(['/', '{', '}', '-'], "_")),
            "parameters": params,
            "security": security,
            "responses": {
                route.status.to_string(): {"description": "Succès"},
                "4XX": {"description": "Refus : problème RFC 9457",
                         "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
                "5XX": {"description": "Échec interne (référence de la requête seulement)",
                         "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
            }
        });
        if matches!(route.method, http::Method::POST) {
            operation["requestBody"] = json!({"required": false,
                "content": {"application/json": {"schema": {"type": "object"}}}});
            operation["parameters"].as_array_mut().expect("array").push(
                json!({"name": "Idempotency-Key", "in": "header", "required": false,
                             "description": IDEMPOTENCY_KEY,
                             "schema": {"type": "string", "minLength": 1, "maxLength": 255}}),
            );
        }
        paths
            .entry(route.path.to_owned())
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .expect("object")
            .insert(route.method.as_str().to_lowercase(), operation);
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Concerto — API de concertation territoriale",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "API JSON de Concerto. Erreurs au format RFC 9457 (application/problem+json), en français par défaut, en anglais avec Accept-Language: en.",
            "license": {"name": "EUPL-1.2", "identifier": "EUPL-1.2"}
        },
        "servers": [{"url": "/api/v1"}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "cookie": {"type": "apiKey", "in": "cookie", "name": "concerto_session"}
            },
            "schemas": {
                "Problem": {
                    "type": "object",
                    "required": ["type", "title", "status", "detail", "code"],
                    "properties": {
                        "type": {"type": "string"},
                        "title": {"type": "string"},
                        "status": {"type": "integer"},
                        "detail": {"type": "string"},
                        "code": {"type": "string"},
                        "instance": {"type": "string"},
                        "request_id": {"type": "string"},
                        "errors": {"type": "array", "items": {"type": "object",
                            "properties": {"pointer": {"type": "string"}, "code": {"type": "string"}, "detail": {"type": "string"}}}}
                    }
                }
            }
        }
    })
}
