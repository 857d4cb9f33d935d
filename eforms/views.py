"""Submit online (DESIGN 6): the e-form wizard, then documents, delivery, review and the acknowledgement.

Thin views over :mod:`eforms.engine` (forms, conditions) and
:mod:`eforms.services` (drafts, submit). The wizard is django-formtools'
``SessionWizardView`` with one step per visible section; its session state is
also checkpointed on the applicant's ``FormDraft`` after every post, so a
filling can be resumed on another day. Everything is validated again on the
server at the end; a step cannot be skipped by posting another step's name.
"""

import copy
import json
from collections import OrderedDict

from django import forms
from django.contrib import messages
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.forms.utils import ErrorDict
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from formtools.wizard.forms import ManagementForm
from formtools.wizard.views import SessionWizardView

from eforms import engine, selectors, services
from eforms.errors import NoPublishedVersion, SubmissionRefused
from eforms.files import WizardFileStorage
from eforms.formfields import attached_file
from eforms.forms import DeliveryForm, DocumentsForm, ReviewForm
from eforms.models import FieldType
from portal.citizens.accounts.decorators import citizen_required
from portal.core.formatting import format_date
from portal.core.uploads import validate_upload

DOCUMENTS, DELIVERY, REVIEW = "documents", "delivery", "review"


def _profile(request):
    return getattr(request, "citizen", None) or getattr(request.user, "citizen_profile", None)


@citizen_required
def start(request, code):
    """From the procedure page: resume the applicant's open filling of this form, or start one."""
    version = selectors.published_version(code)
    if version is None:
        raise Http404
    if request.method != "POST" and "new" not in request.GET:
        existing = selectors.open_drafts(request.user).filter(version__eform=version.eform).first()
        if existing is not None:
            messages.info(
                request,
                _("You continue the form you started on %(date)s.") % {"date": format_date(existing.created_at)},
            )
            return redirect("eforms:wizard", draft_id=existing.pk)
    try:
        draft = services.draft_start(user=request.user, eform_code=code, profile=_profile(request))
    except NoPublishedVersion:
        raise Http404 from None
    return redirect("eforms:wizard", draft_id=draft.pk)


@citizen_required
def draft_list(request):
    return render(request, "eforms/drafts.html", {"drafts": selectors.open_drafts(request.user)})


@require_POST
@citizen_required
def draft_delete(request, draft_id):
    draft = selectors.draft_for_owner(request.user, draft_id)
    if draft is None or draft.is_submitted:
        raise Http404
    services.draft_delete(draft=draft)
    messages.success(request, _("The unfinished form was deleted."))
    return redirect("eforms:drafts")


@citizen_required
def acknowledgement(request, draft_id):
    draft = selectors.draft_for_owner(request.user, draft_id)
    if draft is None or draft.dossier_id is None:
        raise Http404
    return render(
        request,
        "eforms/acknowledgement.html",
        {"draft": draft, "dossier": draft.dossier, "procedure": draft.version.eform.procedure},
    )


@method_decorator(citizen_required, name="dispatch")
class SubmitWizard(SessionWizardView):
    template_name = "eforms/wizard/step.html"
    file_storage = WizardFileStorage()
    form_list = [("placeholder", ReviewForm)]  # replaced per request by the filling's own steps

    # --- set-up ------------------------------------------------------------------------------------
    def dispatch(self, request, *args, draft_id=None, **kwargs):
        self.draft = selectors.draft_for_owner(request.user, draft_id)
        if self.draft is None:
            raise Http404  # another applicant's filling is simply not found
        if self.draft.is_submitted:
            return redirect("eforms:acknowledgement", draft_id=self.draft.pk)
        self.definition = engine.load_definition(self.draft.version)
        self.procedure = self.draft.version.eform.procedure
        steps = [(s.key, engine.section_form_class(self.definition, s)) for s in self.definition.sections]
        steps += [(DOCUMENTS, DocumentsForm), (DELIVERY, DeliveryForm), (REVIEW, ReviewForm)]
        self.form_list = OrderedDict(steps)
        self._memo = None
        self._validated = {}
        return super().dispatch(request, *args, **kwargs)

    def get_prefix(self, request, *args, **kwargs):
        return f"eform_{self.draft.pk.hex}"

    def _restore(self):
        """A new session (another day, another device) continues from the checkpoint on the filling."""
        if self.storage.current_step is None and self.draft.state.get("step"):
            self.storage.data = copy.deepcopy(self.draft.state)

    def _checkpoint(self):
        services.draft_checkpoint(
            draft=self.draft, state=copy.deepcopy(self.storage.data), current_step=self.storage.current_step
        )

    # --- which steps apply (conditions evaluated on the server, in order) --------------------------
    def _evaluate(self):
        """Visible sections, each one's validity and the answers so far, from the stored steps (memoised).

        Within a request a section is validated once per (its data, the answers before it): after a
        step is stored only that step and those depending on it are checked again.
        """
        if self._memo is None:
            answers, visible, state = {}, [], {}
            for section in self.definition.sections:
                if not engine.section_visible(section, answers):
                    continue
                visible.append(section.key)
                data = self.storage.get_step_data(section.key)
                before = dict(answers)
                valid, values = False, {}
                if data is not None:
                    valid, values = self._validate_section(section.key, data, before)
                    if valid:
                        answers.update(values)
                state[section.key] = {"answers": before, "valid": valid}
            self._memo = {"visible": visible, "state": state, "values": answers}
        return self._memo

    def _validate_section(self, key, data, before):
        files = self.storage.data.get(self.storage.step_files_key, {}).get(key) or {}
        cache_key = (
            key,
            tuple(sorted((k, tuple(v)) for k, v in data.lists())),
            json.dumps(before, sort_keys=True, default=str),
            tuple(sorted(files)),
        )
        if cache_key not in self._validated:
            form = self.form_list[key](
                data=data,
                files=self.storage.get_step_files(key) or {},
                prefix=key,
                answers=before,
                prefill=self.draft.prefill,
            )
            valid = form.is_valid()
            self._validated[cache_key] = (valid, form.values if valid else {})
        return self._validated[cache_key]

    def get_form_list(self):
        memo = self._evaluate()
        form_list = OrderedDict((key, self.form_list[key]) for key in memo["visible"])
        for key in (DOCUMENTS, DELIVERY, REVIEW):
            form_list[key] = self.form_list[key]
        # formtools deletes these after a valid post; our own memo is reset in process_step.
        self._resolved_form_list, self._cache_signature = form_list, None
        return form_list

    def _first_incomplete(self):
        memo = self._evaluate()
        for key in self.get_form_list():
            if key in memo["state"]:
                if not memo["state"][key]["valid"]:
                    return key
            elif key != REVIEW and self.storage.get_step_data(key) is None:
                return key
        return REVIEW

    def _step_index(self, key):
        return list(self.get_form_list()).index(key)

    # --- forms -----------------------------------------------------------------------------------------
    def get_form_kwargs(self, step=None):
        step = step or self.steps.current
        if step in self.definition.sections_by_key:
            state = self._evaluate()["state"].get(step)
            return {"answers": state["answers"] if state else self._evaluate()["values"], "prefill": self.draft.prefill}
        if step == DOCUMENTS:
            from portal.citizens.models import StoredDocument

            return {
                "procedure_documents": list(self.procedure.documents.all()),
                "stored_documents": list(
                    StoredDocument.objects.filter(owner=self.request.user).select_related("doc_type")
                ),
            }
        if step == DELIVERY:
            return {"procedure": self.procedure, "agencies": list(self.procedure.agencies.all())}
        if step == REVIEW:
            return {"token": self.draft.submission_token}
        return {}

    def get_form_initial(self, step):
        if step == DELIVERY:
            profile = _profile(self.request)
            return {"delivery_address": getattr(profile, "address", "")}
        return {}

    def get_form(self, step=None, data=None, files=None):
        step = step or self.steps.current
        kept = self.storage.get_step_files(step) or {}
        if data is not None and data is self.request.POST:
            # A step posted again without choosing the file again keeps the file chosen before.
            files = {**kept, **dict(self.request.FILES.items())}
        elif data is None:
            files = None  # a step not sent yet (its files kept from "Back" or "More rows"): no errors to show
        form = super().get_form(step, data, files)
        # A file field renders its initial value, never the posted one: the kept files are shown as attached
        # (name, size, "Remove"), and a required one is satisfied.
        prefix = f"{form.prefix}-"
        form.initial.update({key[len(prefix) :]: f for key, f in kept.items() if key.startswith(prefix)})
        return form

    def process_step(self, form):
        self._memo = None
        prefix = f"{form.prefix}-"
        ignored = set(form.ignored_keys()) if hasattr(form, "ignored_keys") else set()
        if ignored:
            messages.warning(self.request, _("Some submitted data did not belong to this form and was ignored."))
        for fdef in getattr(form, "dropped", []):
            messages.info(
                self.request,
                _("Your answer to “%(label)s” was not kept: the question does not apply.") % {"label": fdef.label},
            )
        # Keep only this step's own fields: no CSRF token, no tampered extras in the saved state.
        return {
            key: form.data.getlist(key)
            for key in form.data.keys()
            if key.startswith(prefix) and key[len(prefix) :] not in ignored
        }

    def process_step_files(self, form):
        # The files chosen on this post are kept already (``_keep_uploads`` before the step is checked, so a
        # step refused for another answer does not lose them); a file for a question that does not apply goes.
        self._discard_files(self.steps.current, {form.add_prefix(name) for name in getattr(form, "hidden", set())})
        return {}

    # --- files kept between requests (add-row, back, save, resume; replace and remove) -----------------
    def _keep_uploads(self, step, skip=(), quiet=False):
        """Keep the files just chosen on ``step`` that pass their field's checks, though the step is not sent.

        "More rows", "Back" and "Save and continue later" post the step without
        validating it; without this the file chosen on that post would be lost.
        A refused file is named in a message and not stored.
        """
        if not self.request.FILES or step not in self.get_form_list():
            return
        form = self.get_form(step, data=self.request.POST, files=self.request.FILES)
        hidden = getattr(form, "hidden", set())
        kept = {}
        for name, field in form.fields.items():
            key = form.add_prefix(name)
            upload = self.request.FILES.get(key)
            if upload is None or key in skip or name in hidden or not isinstance(field, forms.FileField):
                continue
            try:
                field.clean(upload)
                validate_upload(upload)  # the content check, whatever the field (a form field or a document)
            except ValidationError as error:
                for message in [] if quiet else error.messages:  # "Next" shows the error beside the field
                    messages.error(self.request, f"{field.label}: {message}")
                continue
            kept[key] = upload
        if kept:
            self._discard_files(step, kept)
            self.storage.set_step_files(step, kept)
            self._memo = None

    def _discard_files(self, step, keys):
        """Forget the kept files of ``step`` under these input names and delete them from private storage."""
        kept = self.storage.data[self.storage.step_files_key].get(step) or {}
        for key in list(keys):
            entry = kept.pop(key, None)
            if entry is None:
                continue
            cached = self.storage._files.pop((step, key), None)
            if cached is not None:
                cached.close()
            self.file_storage.delete(entry["tmp_name"])
            self._memo = None

    def _remove_file(self):
        """ "Remove" beside an attached file, on its step or on the review page."""
        key = self.request.POST.get("eform_remove_file", "")
        step = key.split("-", 1)[0]
        posted = self.request.POST.get(f"{self.prefix}-current_step") or self.storage.current_step
        if posted == step:
            self._keep_typed(step, skip={key})  # what is typed and other files chosen on the step stay
        entry = (self.storage.data[self.storage.step_files_key].get(step) or {}).get(key)
        if entry is not None:
            self._discard_files(step, [key])
            messages.success(self.request, _("“%(name)s” was removed.") % {"name": entry.get("name", "")})
        target = posted if posted in self.get_form_list() else self._first_incomplete()
        if self._step_index(target) > self._step_index(self._first_incomplete()):
            target = self._first_incomplete()
        if target != step and step in self.get_form_list() and self._step_index(target) > self._step_index(step):
            if not self._stored_form(step).is_valid():
                target = step  # a required file removed on the review page: back to its step, which asks for it
        self.storage.current_step = target
        self._checkpoint()
        form = self._stored_form(target)
        if form.is_bound and target != REVIEW:
            form._errors = ErrorDict()  # not checked yet: the applicant is still filling the step
        return self.render(form)

    # --- requests --------------------------------------------------------------------------------------
    def get(self, request, *args, **kwargs):
        self._restore()
        current = self.storage.current_step
        if current not in self.get_form_list():
            current = self.steps.first
        first_incomplete = self._first_incomplete()
        if self._step_index(current) > self._step_index(first_incomplete):
            current = first_incomplete
        self.storage.current_step = current
        return self.render(self._stored_form(current))

    def _stored_form(self, step):
        return self.get_form(step, data=self.storage.get_step_data(step), files=self.storage.get_step_files(step))

    def post(self, *args, **kwargs):
        self._restore()
        if "eform_save" in self.request.POST:
            return self._save_and_leave()
        if "wizard_refresh" in self.request.POST:
            return self._refresh()
        if "eform_remove_file" in self.request.POST:
            return self._remove_file()
        goto = self.request.POST.get("wizard_goto_step")
        if goto:
            # "Back" does not send the step, but a file chosen on it is kept.
            self._keep_uploads(self.request.POST.get(f"{self.prefix}-current_step"))
            if goto not in self.get_form_list() or self._step_index(goto) > self._step_index(self._first_incomplete()):
                messages.error(self.request, _("Complete the steps in order."))
                goto = self._first_incomplete()
            response = self.render_goto_step(goto)
            self._checkpoint()
            return response
        management = ManagementForm(self.request.POST, prefix=self.prefix)
        if not management.is_valid():
            raise SuspiciousOperation("wizard management form missing")
        posted = management.cleaned_data["current_step"]
        if posted not in self.get_form_list():
            messages.error(self.request, _("This step does not apply to your answers."))
            return self._render_step(self._first_incomplete())
        first_incomplete = self._first_incomplete()
        if self._step_index(posted) > self._step_index(first_incomplete):
            messages.error(self.request, _("Please complete this step first."))
            return self._render_step(first_incomplete)
        self._keep_uploads(posted, quiet=True)
        response = super().post(*args, **kwargs)
        if not self.draft.is_submitted:
            self._checkpoint()
        return response

    def _render_step(self, step):
        self.storage.current_step = step
        self._checkpoint()
        return self.render(self._stored_form(step))

    def _save_and_leave(self):
        """Keep what is typed on this step as it is (checked again later) and leave."""
        self._keep_typed()
        self._checkpoint()
        messages.success(self.request, _("Your form is saved. You can continue it later from “My dossiers”."))
        return redirect("eforms:drafts")

    def _keep_typed(self, step=None, skip=()):
        """Keep the step as typed (checked again later) and the files chosen on it."""
        step = step or self.storage.current_step or self.steps.first
        if step in self.get_form_list():
            self._keep_uploads(step, skip=skip)
            prefix = f"{step}-"
            data = {k: self.request.POST.getlist(k) for k in self.request.POST if k.startswith(prefix)}
            self.storage.set_step_data(step, data)
            self.storage.current_step = step
            self._memo = None
        return step

    def _refresh(self):
        """ "More rows" in a table without JavaScript: the same step again, as typed, with empty rows added."""
        step = self._keep_typed()
        self._checkpoint()
        form = self._stored_form(step)
        form._errors = ErrorDict()  # not checked yet: the applicant is still typing
        return self.render(form)

    def render_done(self, form, **kwargs):
        """formtools' final check of every step, without wiping the wizard when the submit is refused."""
        self._memo = None
        final = OrderedDict()
        for key in self.get_form_list():
            form_obj = self._stored_form(key)
            if not form_obj.is_valid():
                messages.error(self.request, _("Please check this step again."))
                return self.render_revalidation_failure(key, form_obj, **kwargs)
            final[key] = form_obj
        response = self.done(list(final.values()), form_dict=final, **kwargs)
        if self.draft.is_submitted:
            self.storage.reset()
        return response

    def done(self, form_list, form_dict=None, **kwargs):
        values, form_files = self.collect(form_dict)
        delivery = form_dict[DELIVERY]
        try:
            dossier, _created = services.draft_submit(
                user=self.request.user,
                draft_id=self.draft.pk,
                token=form_dict[REVIEW].cleaned_data["token"],
                values=values,
                form_files=form_files,
                documents=form_dict[DOCUMENTS].chosen(),
                agency=delivery.agency,
                delivery=delivery.cleaned_data["delivery"],
                delivery_address=delivery.cleaned_data.get("delivery_address", "") or "",
                applicant=services.applicant_from(
                    _profile(self.request), self.request.user, definition=self.definition, values=values
                ),
            )
        except SubmissionRefused as error:
            messages.error(self.request, str(error))
            self.storage.current_step = REVIEW
            return self.render(form_dict[REVIEW])
        self.draft.status = "submitted"
        return redirect("eforms:acknowledgement", draft_id=self.draft.pk)

    def collect(self, form_dict):
        """The answers in form order and the files of the form's own file fields."""
        values, files = {}, []
        for key, form in form_dict.items():
            if key not in self.definition.sections_by_key:
                continue
            values.update(form.values)
            for fdef in form.section.fields:
                if fdef.type == FieldType.FILE and fdef.code not in form.hidden and form.cleaned_data.get(fdef.code):
                    files.append((fdef.label, form.cleaned_data[fdef.code]))
        return values, files

    # --- rendering -------------------------------------------------------------------------------------
    def get_context_data(self, form, **kwargs):
        context = super().get_context_data(form=form, **kwargs)
        step = self.steps.current
        titles = {s.key: s.title for s in self.definition.sections}
        titles.update({DOCUMENTS: _("Documents"), DELIVERY: _("Receiving the result"), REVIEW: _("Review and submit")})
        first_incomplete = self._first_incomplete()
        reachable = self._step_index(first_incomplete)
        context.update(
            draft=self.draft,
            definition=self.definition,
            procedure=self.procedure,
            step_title=titles.get(step, ""),
            section=self.definition.sections_by_key.get(step),
            progress=[
                {"key": key, "title": titles[key], "current": key == step, "reachable": i <= reachable}
                for i, key in enumerate(self.get_form_list())
            ],
            delete_url=reverse("eforms:draft_delete", args=[self.draft.pk]),
        )
        if step == REVIEW:
            context.update(self._review_context())
        return context

    def _review_context(self):
        values = self._evaluate()["values"]
        documents = self._stored_form(DOCUMENTS)
        delivery = self._stored_form(DELIVERY)
        sections = engine.display_sections(self.definition, values)
        for section in sections:
            for item in section["items"]:
                attached = attached_file(values.get(item["code"])) if item["type"] == FieldType.FILE else None
                if attached:  # name and size, with "Replace" (back to its step) and "Remove"
                    item["file"] = {**attached, "input": f"{section['key']}-{item['code']}", "step": section["key"]}
        return {
            "review_sections": sections,
            "review_documents": documents.summary() if documents.is_valid() else [],
            "review_delivery": delivery.summary() if delivery.is_valid() else None,
        }
