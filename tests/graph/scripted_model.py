"""A scripted chat model: a faithful test double of ``with_structured_output``.

Each structured call takes the next scripted answer: a dict (validated against the schema the
caller asked for, as a real tool-calling model's arguments are; a dict outside the schema
raises pydantic's ``ValidationError``), an exception (raised), or a number (seconds to hang,
for timeouts). Every prompt is recorded.
"""

from __future__ import annotations

import time
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatResult
from langchain_core.runnables import Runnable, RunnableLambda
from pydantic import BaseModel, Field


class ScriptedChatModel(BaseChatModel):
    """Answers structured calls from a script; free-text calls are refused."""

    script: list[Any] = Field(default_factory=list)
    prompts: list[str] = Field(default_factory=list)
    schemas: list[str] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> ChatResult:
        raise AssertionError("the graph must never read a model's free text")

    def with_structured_output(  # type: ignore[override]
        self, schema: type[BaseModel], **kwargs: Any
    ) -> Runnable[Any, BaseModel]:
        def answer(messages: list[BaseMessage]) -> BaseModel:
            self.prompts.append(str(messages[-1].content))
            self.schemas.append(schema.__name__)
            step = self.script.pop(0) if self.script else {}
            if isinstance(step, BaseException):
                raise step
            if isinstance(step, (int, float)):
                time.sleep(step)
                step = {}
            return schema.model_validate(step)

        return RunnableLambda(answer)
