//! Changing what was said: edits, deletes, uploads, attachment deletes.

use super::*;

/// Loads a message for edit/delete and checks the hotel.
pub(crate) fn message_in_hotel(
    hotel: &Hotel,
    id: i64,
    slug: &str,
) -> Result<(i64, Sender, bool), Response> {
    let Some(m) = hotel.find_message(id) else {
        return Err(detail(
            StatusCode::NOT_FOUND,
            "No RoomMessage matches the given query.",
        ));
    };
    let conv_hotel = hotel.conv(m.conv).and_then(|c| hotel.conv_hotel(c));
    if conv_hotel != Some(slug) {
        return Err(error(
            StatusCode::FORBIDDEN,
            "Message does not belong to this hotel",
        ));
    }
    Ok((m.conv, m.sender, m.deleted_at.is_some()))
}

pub(crate) fn publish_on_booking(s: &Shared, hotel: &Hotel, conv: i64, event: &str, data: Value) {
    if let Some(channel) = hotel
        .conv(conv)
        .and_then(|c| hotel.room(c.room_pk))
        .and_then(|r| hotel.booking_channel(r))
    {
        s.publisher.publish(&channel, event, &data);
    }
}

pub(crate) async fn update_message(
    State(s): State<St>,
    Path((slug, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (mut hotel, staff) = tri!(s.desk(&headers, &slug, None));
    if s.quirks.edits_answer_500 {
        // The view rejects the route's hotel_slug argument: 500, nothing saved (4.2).
        return html_500();
    }
    let id = tri!(parse_id(&id));
    let (conv, sender, deleted) = tri!(message_in_hotel(&hotel, id, &slug));
    if sender != Sender::Staff(staff.seed.id) {
        return error(StatusCode::FORBIDDEN, "You can only edit your own messages");
    }
    if deleted {
        return error(StatusCode::BAD_REQUEST, "Cannot edit a deleted message");
    }
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let text = v.get("message").and_then(|m| m.as_str()).unwrap_or("");
    if text.trim().is_empty() {
        return error(StatusCode::BAD_REQUEST, "Message cannot be empty");
    }
    let now = hotel.now();
    if let Some(m) = hotel.find_message_mut(id) {
        m.text = text.to_string();
        m.edited_at = Some(now);
    }
    let Some(m) = hotel.find_message(id) else {
        return html_500();
    };
    let wire = hotel.message_wire(m);
    publish_on_booking(
        &s,
        &hotel,
        conv,
        "chat.message.edited",
        json!({"category": "guest_chat", "type": "message_edited", "payload": {"id": id, "conversation_id": conv, "message": text, "is_edited": true, "edited_at": ts(now)}}),
    );
    ok(json!({"message": wire, "success": true}))
}

pub(crate) async fn delete_message(
    State(s): State<St>,
    Path((slug, id)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let (mut hotel, staff) = tri!(s.desk(&headers, &slug, None));
    if s.quirks.edits_answer_500 {
        // As edit: 500 before anything changes (4.2, checked 2026-12-08).
        return html_500();
    }
    let id = tri!(parse_id(&id));
    let (conv, sender, _) = tri!(message_in_hotel(&hotel, id, &slug));
    let hard = q.get("hard_delete").is_some_and(|v| v == "true");
    let own = sender == Sender::Staff(staff.seed.id);
    let moderator = staff.can("chat.message.moderate");
    if hard && !moderator {
        return error(
            StatusCode::FORBIDDEN,
            "Hard delete requires moderation permission",
        );
    }
    if !own && !moderator {
        return error(
            StatusCode::FORBIDDEN,
            "You can only delete your own messages",
        );
    }
    let now = hotel.now();
    if hard {
        if let Some(c) = hotel.conv_mut(conv) {
            c.messages.retain(|m| m.id != id);
        }
    } else if let Some(m) = hotel.find_message_mut(id) {
        m.deleted_at = Some(now);
    }
    publish_on_booking(
        &s,
        &hotel,
        conv,
        "chat.message.deleted",
        json!({"category": "guest_chat", "type": "message_deleted", "payload": {"id": id, "conversation_id": conv, "hard_delete": hard, "deleted_at": ts(now)}}),
    );
    ok(json!({"success": true, "hard_delete": hard, "message_id": id}))
}

pub(crate) fn extension_ok(name: &str) -> bool {
    name.rsplit_once('.')
        .map(|(_, ext)| ALLOWED_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str()))
        .unwrap_or(false)
}

pub(crate) fn kind_for(name: &str) -> (&'static str, &'static str) {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "jpg" | "jpeg" => ("image", "image/jpeg"),
        "png" => ("image", "image/png"),
        "gif" => ("image", "image/gif"),
        "webp" => ("image", "image/webp"),
        "bmp" => ("image", "image/bmp"),
        "pdf" => ("pdf", "application/pdf"),
        "txt" => ("document", "text/plain"),
        "csv" => ("document", "text/csv"),
        "doc" | "docx" => ("document", "application/msword"),
        "xls" | "xlsx" => ("document", "application/vnd.ms-excel"),
        _ => ("other", "application/octet-stream"),
    }
}

pub(crate) async fn upload(
    State(s): State<St>,
    Path((slug, id)): Path<(String, String)>,
    headers: HeaderMap,
    mut multipart: Multipart,
) -> Response {
    // Checked first; the lock is not held while the files stream in.
    let id = {
        let (_hotel, _, id) =
            tri!(s.desk_conversation(&headers, &slug, &id, Some("chat.attachment.upload")));
        id
    };
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut text: Option<String> = None;
    let mut reply_to: Option<i64> = None;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return error(StatusCode::BAD_REQUEST, &format!("Malformed upload: {e}")),
        };
        let name = field.name().unwrap_or("").to_string();
        let file_name = field.file_name().map(str::to_string);
        let Ok(data) = field.bytes().await else {
            return error(StatusCode::BAD_REQUEST, "Upload too large or interrupted");
        };
        match name.as_str() {
            "files" => files.push((file_name.unwrap_or_else(|| "upload".into()), data.to_vec())),
            "message" => text = Some(String::from_utf8_lossy(&data).to_string()),
            "reply_to" => reply_to = String::from_utf8_lossy(&data).trim().parse().ok(),
            _ => {}
        }
    }
    if files.is_empty() {
        return error(StatusCode::BAD_REQUEST, "No files provided");
    }
    let mut details = Vec::new();
    let valid: Vec<(String, Vec<u8>)> = files
        .into_iter()
        .filter(|(name, data)| {
            if !extension_ok(name) {
                let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
                details.push(format!(
                    "{name}: File type '.{ext}' not allowed. Allowed: images, PDF, documents"
                ));
                false
            } else if data.len() as u64 > MAX_UPLOAD {
                details.push(format!("{name}: File too large (max 50MB)"));
                false
            } else {
                true
            }
        })
        .collect();
    if valid.is_empty() {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"error": "No valid files uploaded", "details": details})),
        )
            .into_response();
    }
    let (mut hotel, staff) = tri!(s.desk(&headers, &slug, None));
    join_if_new(&s, &mut hotel, id, &staff);
    let now = hotel.now();
    let body = text.unwrap_or_default();
    if s.faults.upload_storage_fails {
        // The deployment writes the message first, then fails to store the files.
        let shown = if body.trim().is_empty() {
            "[File shared]"
        } else {
            body.as_str()
        };
        let left = hotel.push_message(id, Sender::Staff(staff.seed.id), shown, now, false);
        publish_created(&s, &hotel, left);
        return error(
            StatusCode::BAD_REQUEST,
            "Failed to upload files: the file store did not answer",
        );
    }
    let msg_id = hotel.push_message(id, Sender::Staff(staff.seed.id), &body, now, false);
    let mut stored = Vec::new();
    for (name, data) in valid {
        let (kind, mime) = kind_for(&name);
        let a = StoredAttachment {
            id: hotel.next_attachment,
            name,
            kind: kind.into(),
            mime: mime.into(),
            size: data.len() as u64,
            uploaded_at: now,
            bytes: Some(Arc::new(data)),
        };
        hotel.next_attachment += 1;
        stored.push(a);
    }
    let reply_to = reply_to.filter(|r| hotel.find_message(*r).is_some_and(|m| m.conv == id));
    if let Some(m) = hotel.find_message_mut(msg_id) {
        m.attachments = stored;
        m.reply_to = reply_to;
    }
    publish_created(&s, &hotel, msg_id);
    let Some(m) = hotel.find_message(msg_id) else {
        return html_500();
    };
    let wire = hotel.message_wire(m);
    let attachments = wire.attachments.clone();
    ok(json!({"message": wire, "attachments": attachments, "success": true}))
}

pub(crate) async fn delete_attachment(
    State(s): State<St>,
    Path((slug, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let (mut hotel, staff) = tri!(s.desk(&headers, &slug, Some("chat.attachment.delete")));
    let id = tri!(parse_id(&id));
    let owner = hotel.convs.iter().find_map(|c| {
        c.messages
            .iter()
            .find(|m| m.attachments.iter().any(|a| a.id == id))
            .map(|m| (m.id, m.sender))
    });
    let Some((message_id, sender)) = owner else {
        return detail(
            StatusCode::NOT_FOUND,
            "No MessageAttachment matches the given query.",
        );
    };
    tri!(message_in_hotel(&hotel, message_id, &slug));
    if sender != Sender::Staff(staff.seed.id) && !staff.can("chat.message.moderate") {
        return error(
            StatusCode::FORBIDDEN,
            "You can only delete your own attachments",
        );
    }
    if s.quirks.edits_answer_500 {
        // Nothing changes and the answer fails, every time (samples 74, 79).
        return html_500();
    }
    if let Some(m) = hotel.find_message_mut(message_id) {
        m.attachments.retain(|a| a.id != id);
    }
    ok(json!({"success": true, "attachment_id": id, "message_id": message_id}))
}
