"""The Prediction type: its JSON (to_dict, batch lines) and its schema as an OpenAPI component."""

import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import ValidationError

from emotion_core import Classifier, ModelRef, Prediction, batch_line
from emotion_core.prediction import EXAMPLE

DOC = Path(__file__).resolve().parents[3] / "docs" / "prediction.md"


def test_to_dict_keeps_the_key_order_and_leaves_unset_fields_out(tiny_classifier: Classifier) -> None:
    prediction = tiny_classifier.predict_one("so happy, thanks", include_scores=True)
    line = prediction.to_dict()
    assert list(line) == [
        "emotion", "confidence", "sentiment", "labels", "reactions", "windows", "language", "scores"]
    assert line["labels"]["fine"] == [{"label": "gratitude", "score": 0.982}, {"label": "joy", "score": 0.982}]
    assert isinstance(line["reactions"]["allowed"], list)
    assert json.loads(json.dumps(line)) == line  # plain JSON types only


def test_fields_of_the_next_model_appear_once_set(tiny_classifier: Classifier) -> None:
    plain = tiny_classifier.predict_one("so happy").to_dict()
    assert plain.pop("language") == "en"
    extended = Prediction.model_validate({**plain, "language": "de", "warning": "the model reads only en",
                                          "model": {"name": "tiny", "version": "0.0.1"}})
    assert list(extended.to_dict()) == [*plain, "language", "warning", "model"]
    assert extended.model == ModelRef(name="tiny", version="0.0.1")
    assert extended.to_dict()["model"] == {"name": "tiny", "version": "0.0.1"}


def test_prediction_is_frozen_and_strict_about_fields() -> None:
    prediction = Prediction.model_validate(EXAMPLE)
    with pytest.raises(ValidationError, match="frozen"):
        prediction.emotion = "anger"  # type: ignore[misc]
    with pytest.raises(ValidationError, match="include_score"):
        Prediction.model_validate({**EXAMPLE, "include_score": True})
    with pytest.raises(ValidationError, match="confidence"):
        Prediction.model_validate({**EXAMPLE, "confidence": 1.5})


def test_the_schema_example_is_a_valid_prediction() -> None:
    assert Prediction.model_validate(EXAMPLE).to_dict() == EXAMPLE


def test_batch_lines_put_the_id_first() -> None:
    prediction = Prediction.model_validate(EXAMPLE)
    assert list(batch_line(7, prediction)) == ["id", *EXAMPLE]
    assert batch_line("a", prediction) == {"id": "a", **EXAMPLE}
    assert batch_line("b", error="text is empty") == {"id": "b", "error": "text is empty"}
    with pytest.raises(ValueError, match="either a prediction or an error"):
        batch_line("c")
    with pytest.raises(ValueError, match="either a prediction or an error"):
        batch_line("c", prediction, error="text is empty")


def _app(classifier: Classifier) -> FastAPI:
    app = FastAPI()

    @app.post("/one", response_model=Prediction, response_model_exclude_none=True)
    def one() -> Prediction:
        return classifier.predict_one("so happy, thanks")

    @app.post("/unset", response_model=Prediction, response_model_exclude_unset=True)
    def unset() -> Prediction:
        return classifier.predict_one("so happy, thanks", include_scores=True)

    return app


def test_as_a_response_model_it_is_one_clean_openapi_component(tiny_classifier: Classifier) -> None:
    schemas: dict[str, Any] = _app(tiny_classifier).openapi()["components"]["schemas"]
    assert set(schemas) == {"Prediction", "LabelScore", "EmojiReactions", "ModelRef"}
    prediction = schemas["Prediction"]
    assert prediction["title"] == "Prediction" and prediction["examples"] == [EXAMPLE]
    assert prediction["required"] == ["emotion", "confidence", "labels", "reactions", "windows"]
    for name, schema in schemas.items():
        assert schema.get("description"), name
        for field, spec in schema["properties"].items():
            assert spec.get("description"), f"{name}.{field} has no description"
            # Optional fields are left out, never null, and the schema says just that.
            assert "null" not in json.dumps(spec), f"{name}.{field}"


def test_as_a_response_model_it_sends_exactly_to_dict(tiny_classifier: Classifier) -> None:
    client = TestClient(_app(tiny_classifier))
    assert client.post("/one").json() == tiny_classifier.predict_one("so happy, thanks").to_dict()
    # FastAPI's exclude_unset agrees with to_dict: the core never sets an optional field to None.
    expected = tiny_classifier.predict_one("so happy, thanks", include_scores=True).to_dict()
    response = client.post("/unset")
    assert response.json() == expected
    assert list(response.json()) == list(expected)


def test_the_reference_documents_every_field_in_order() -> None:
    documented = re.findall(r"^\| `(\w+)` \|", DOC.read_text(encoding="utf-8"), flags=re.MULTILINE)
    assert documented == list(Prediction.model_fields)
